"""The demo on purpose: the register comes out as the committee paper summarises it, and
a few end-to-end journeys walk the web app over the whole demo. Every other test builds
its own data with tests/factories.py, so that a change to the demo breaks only these."""

from datetime import date

from sqlalchemy import select

from riskkit import scoring
from riskkit.extensions import db
from riskkit.models import Indicator, Reading
from riskkit.services import indicators as indicator_service
from riskkit.services.registers import get_register
from riskkit.services.reviews import reviews_due
from riskkit.services.risks import RiskFilter, get_risk, list_risks
from tests.web_helpers import page_title, sign_in


def test_directorate_register_is_red_2_amber_4_green_0(demo):
    register = get_register("AH")
    risks = list_risks(RiskFilter(registers=[register]))
    names = [scoring.rating(register.matrix, r.likelihood, r.impact).name for r in risks]
    assert scoring.format_rag_summary(scoring.rag_summary(register.matrix, names)) == "Green 0 Amber 4 Red 2 Total 6"


def test_operations_register_and_corporate_roll_up(demo):
    assert len(list_risks(RiskFilter(registers=[get_register("OPS")]))) == 3
    everything = list_risks(RiskFilter(registers=[get_register("CORP")], include_children=True))
    assert len(everything) == 9


def test_review_dates_as_printed(demo):
    risk = get_risk("AH0005")
    assert (risk.last_review_date, risk.next_review_date) == (date(2021, 7, 7), date(2021, 10, 7))
    assert risk.reviews[-1].comment.startswith("Reviewed at DMT")


def test_reviews_overdue_on_29_september_2021(demo):
    overdue = [r.reference for r in reviews_due(date(2021, 9, 29))]
    assert sorted(overdue) == ["AH0011", "AH0033", "AH0037"]


def test_every_review_but_ops0003_overdue_on_1_december_2021(demo):
    overdue = {r.reference for r in reviews_due(date(2021, 12, 1))}
    everything = {r.reference for r in list_risks(RiskFilter())}
    assert everything - overdue == {"OPS0003"}


def test_heat_map_counts_and_places_each_reference(demo):
    from riskkit.services.summaries import heat_map

    register = get_register("AH")
    result = heat_map(register.matrix, [register.id])
    assert result.summary_text() == "Green 0 Amber 4 Red 2 Total 6"
    placed = {ref: (cell.likelihood, cell.impact) for cell in result.cells for ref in cell.references}
    for ref, (lk, im) in placed.items():
        risk = get_risk(ref)
        assert (risk.likelihood, risk.impact) == (lk, im)
    assert len(placed) == 6
    assert result.rows[0][0].likelihood == 5 and result.rows[-1][0].likelihood == 1
    crowded = heat_map(register.matrix, [register.id], max_references=1)
    assert sum(c.more for c in crowded.cells) == 6 - sum(1 for c in crowded.cells if c.count)


def test_rating_changes_since_a_date(demo):
    from riskkit.services.summaries import rating_changes

    ah = get_register("AH")
    # AH0005 went from 16 to 20 at the 07/07/2021 review: High both times, so no change
    # of rating; nothing else changed score.
    assert rating_changes([ah.id], date(2021, 6, 1)) == ([], 0)


# --- end-to-end journeys through the web app -----------------------------------------------

MAIN_PAGES = ("/", "/risks", "/risks?register=AH", "/risks/AH0005",
              "/risks/AH0038", "/risks/AH0005/history", "/risks/AH0005/review",
              "/risks/AH0005/edit", "/risks/new", "/overdue", "/exercises", "/exercises/7",
              "/lessons", "/programme", "/plans", "/themes", "/themes/cross-reference",
              "/calendar", "/admin/users", "/admin/registers", "/admin/matrices")


def test_every_main_page_opens_with_a_title_of_its_own(client):
    sign_in(client, "admin")
    titles = {}
    for path in MAIN_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        titles[path] = page_title(response)
    assert titles["/risks/AH0005"] == (
        "AH0005 Continued pressures on public sector funding impacting on revenue and savings"
        " efficiencies – Adult Social Care and Health register – riskkit")
    duplicates = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not duplicates, {p: t for p, t in titles.items() if t in duplicates}
    assert all(t.endswith(" – riskkit") and not t.startswith("Error") for t in titles.values())


def test_the_demo_winter_passes_through_every_level_and_warns_about_the_workforce_risk(demo):
    """The plan's indicators, Case Load and Referrals under development, linked to AH0033,
    with invented readings that reach every OPEL level."""
    found = {i.name: i for i in db.session.scalars(select(Indicator))}
    assert found["KCC case load"].triggers_state == "under_development"
    assert found["Referrals"].triggers_state == "under_development"
    staffing = found["Staffing of Short-term Pathway Team"]
    assert [r.reference for r in staffing.risks] == ["AH0033"]
    assert "invented" in staffing.description
    reached = {indicator_service.level_of(staffing, value).rank for value in db.session.scalars(
        select(Reading.value).where(Reading.indicator_id == staffing.id))}
    assert reached == {1, 2, 3, 4}
    assert len(found["Kent Enablement at Home daily capacity"].areas) == 9
