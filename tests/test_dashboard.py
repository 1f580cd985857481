"""The dashboard: what the signed-in person must do first, then the register summary,
then one heat map of the register and scores chosen. Data from the factories."""

import re
from datetime import UTC, date, datetime

import pytest

from riskkit import clock
from riskkit.extensions import db
from riskkit.services.lessons import save_lesson
from riskkit.services.lifecycle import save_action
from riskkit.services.reviews import record_review
from tests.conftest import FreshContextClient
from tests.factories import gen_event, gen_person, gen_register, gen_risk

AS_OF = date(2026, 6, 1)
DASHBOARD = f"/?as_of={AS_OF.isoformat()}"
PASSWORD = "dashboard-test-1"


@pytest.fixture
def site(app):
    """Two registers (CORP above DIR) and Pat, who owns some of their risks, signed in;
    Sam owns the rest."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    # Recorded the day before: the dashboard as of a day shows what stood then.
    with clock.frozen(datetime(2026, 5, 31, 9, tzinfo=UTC)):
        pat = gen_person("Pat Owner", "manager", "pat@example.gov.uk", PASSWORD)
        sam = gen_person("Sam Other", "owner", "sam@example.gov.uk")
        corp = gen_register("CORP", level="corporate")
        directorate = gen_register("DIR", parent=corp)
        directorate.owner = pat
        risks = {
            "overdue": gen_risk(directorate, pat, 4, 4, title="Pat's overdue review"),
            "soon": gen_risk(directorate, pat, 2, 3, title="Pat's review due soon"),
            "later": gen_risk(corp, pat, 1, 2, title="Pat's review not yet due"),
            "sams": gen_risk(directorate, sam, 5, 5, title="Sam's overdue review",
                             target_likelihood=2, target_impact=2),
        }
        for key, due in (("overdue", date(2026, 5, 10)), ("soon", date(2026, 6, 20)),
                         ("later", date(2026, 12, 1)), ("sams", date(2026, 4, 1))):
            risks[key].next_review_date = due
        save_action(risks["sams"], sam, None, description="Pat's overdue action on Sam's risk",
                    owner=pat, target_date=date(2026, 5, 1), status="in_progress", as_of=AS_OF)
        save_action(risks["sams"], sam, None, description="Pat's finished action", owner=pat,
                    target_date=date(2026, 4, 1), status="done", as_of=AS_OF)
        save_action(risks["overdue"], pat, None, description="Sam's overdue action", owner=sam,
                    target_date=date(2026, 4, 1), status="planned", as_of=AS_OF)
        event = gen_event("Exercise Birch", start_date=date(2026, 3, 1))
        save_lesson(None, None, event=event, statement="Pat's lesson: the call tree was stale",
                    owner=pat, due_date=date(2026, 5, 20))
        save_lesson(None, None, event=event, statement="Sam's lesson", owner=sam,
                    due_date=date(2026, 5, 20))
        db.session.commit()
    client = app.test_client()
    signed_in = client.post("/login", data={"email": "pat@example.gov.uk", "password": PASSWORD})
    assert signed_in.status_code == 302
    return client, risks


def _page(client, url=DASHBOARD) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _section(html: str, section_id: str) -> str:
    """From the element with this id to the next heading of the same or a higher level."""
    start = html.index(f'id="{section_id}"')
    level = html[:start].rsplit("<h", 1)[1][0]
    rest = html[start:]
    ends = [m.start() for m in re.finditer(rf"<h([1-{level}])[ >]", rest)]
    return rest[:ends[0]] if ends else rest


def test_the_dashboard_leads_with_the_signed_in_persons_reviews_actions_and_lessons(site):
    client, risks = site
    html = _page(client)
    headings = re.findall(r'<h([1-6])[^>]*id="([^"]+)"', html)
    ids = [i for _, i in headings]
    assert ids.index("my-work") < ids.index("registers") < ids.index("heat-map")
    # Headings go down one level at a time, never skipping one.
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html.split("<main", 1)[1])]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))

    reviews = _section(html, "my-reviews")
    assert "Your reviews due (2)" in reviews
    assert risks["overdue"].reference in reviews and "22 days overdue" in reviews
    assert risks["soon"].reference in reviews and "due in 19 days" in reviews
    assert risks["later"].reference not in reviews and risks["sams"].reference not in reviews

    actions = _section(html, "my-actions")
    assert "Your actions due (1)" in actions and "Pat&#39;s overdue action on Sam&#39;s risk" in actions
    assert "finished" not in actions and "Sam&#39;s overdue action" not in actions

    lessons = _section(html, "my-lessons")
    assert "Your lessons due (1)" in lessons and "the call tree was stale" in lessons
    assert "Sam&#39;s lesson" not in lessons
    # The whole of each list is the overdue report filtered to the person.
    person = risks["overdue"].owner
    assert f'href="/overdue?as_of=2026-06-01&amp;owner={person.id}&amp;kind=review&amp;due_within=30"' in reviews


def test_someone_with_nothing_due_is_told_so(site, app):
    client, _ = site
    gen_person("Viv Viewer", "viewer", "viv@example.gov.uk", PASSWORD)
    db.session.commit()
    viewer = app.test_client()
    viewer.post("/login", data={"email": "viv@example.gov.uk", "password": PASSWORD})
    html = _page(viewer)
    assert "No review of a risk you own is due in the next 30 days." in html
    assert "No action of yours is due in the next 30 days." in html
    assert "No lesson of yours is due in the next 30 days." in html


def test_the_dashboard_draws_one_heat_map_of_the_register_and_scores_chosen(site):
    client, risks = site
    html = _page(client)
    assert html.count('class="govuk-table rk-heatmap"') == 1
    # Pat owns DIR: its current heat map comes first; Sam's 5 x 5 risk is in the top cell.
    heat_map = _section(html, "heat-map")
    assert "Current risk: DIR register" in heat_map
    assert re.search(r'<option value="DIR" selected>', heat_map)
    top = re.search(r"likelihood=5&amp;impact=5\">\s*(\d+) risk", heat_map)
    assert top and top.group(1) == "1"

    target = _section(_page(client, "/?as_of=2026-06-01&register=CORP&scores=target"), "heat-map")
    assert "Target risk: CORP register" in target and "Includes DIR" in target
    assert re.search(r'<option value="CORP" selected>', target)
    assert re.search(r'id="scores-target"[^>]*checked', target)
    # Sam's 5 x 5 risk aims for 2 x 2; target cells are not links to the register list,
    # which filters by current scores.
    assert 'data-cell="5-5"' not in target and "likelihood=5&amp;impact=5" not in target
    cell = re.search(r'data-cell="2-2">(\d+) risk', target)
    assert cell and cell.group(1) == "1"


def test_a_bad_heat_map_choice_is_named_and_the_default_shown(site):
    client, _ = site
    html = _page(client, "/?register=NOPE&scores=sideways")
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert "No register with code &#39;NOPE&#39;" in summary
    assert "Scores must be current or target, not &#39;sideways&#39;" in summary
    assert "Current risk: DIR register" in _section(html, "heat-map")


def test_rating_changes_come_from_the_latest_review_after_the_date(site):
    client, risks = site
    record_review(risks["soon"], None, date(2026, 5, 15), 4, 4, "Worse", reviewer=risks["soon"].owner)
    record_review(risks["later"], None, date(2026, 5, 16), 1, 3, "Same band",
                  reviewer=risks["later"].owner)
    db.session.commit()
    changes = _section(_page(client, "/?as_of=2026-06-01&since=2026-05-01"), "changes")
    assert "Rating changes since 01/05/2026 (1)" in changes
    assert risks["soon"].reference in changes and risks["later"].reference not in changes
    assert "Increased" in changes
    none = _page(client, "/?as_of=2026-06-01&since=2026-05-15")
    assert "No risk has changed rating since 15/05/2026" in none


def test_a_registers_heat_map_page_draws_its_target_scores_with_references(site):
    client, risks = site
    html = _page(client, "/heatmap?register=DIR&scores=target")
    assert "Target risk: DIR register" in html
    cell = html.split('data-cell="2-2"', 1)[1].split("</td>", 1)[0]
    assert risks["sams"].reference in cell  # Sam's 5 x 5 risk aims for 2 x 2
    assert 'href="/heatmap.pdf?register=DIR&amp;scores=target"' in html
    bad = client.get("/heatmap?register=DIR&scores=sideways")
    assert bad.status_code == 400
    assert "Scores must be current or target, not &#39;sideways&#39;" in bad.get_data(as_text=True)
