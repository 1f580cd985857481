"""Council scale: every list that grows with the organisation is paged or summarised, on
a generated organisation of a couple of thousand risks (benchmarks/generate.py, into the
test's own database). Sizes and counts, never timings."""

import csv
import io
import json
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from benchmarks.generate import BENCH_EMAIL, BENCH_PASSWORD, REFERENCE_DATE, generate
from riskkit.extensions import db
from riskkit.models import Event, Lesson, Register, Risk, User
from riskkit.services import plans, programme, themes
from riskkit.services.overdue import KINDS
from riskkit.services.registers import rollup_ids
from riskkit.services.risks import LIVE
from tests.factories import gen_person

AS_OF = REFERENCE_DATE.isoformat()
MOST_BYTES = 200_000


@pytest.fixture
def council(app):
    """2,000 risks on 20 registers, 400 people (most owning a few risks), with the
    resilience half; the generator's manager signs in."""
    app.config["WTF_CSRF_ENABLED"] = False
    generate(2000, seed=3, log=lambda line: None, registers=20, people=400)
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD})
    assert response.status_code == 302
    return client


def _get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert len(response.data) < MOST_BYTES, f"{url}: {len(response.data):,} bytes"
    return response.get_data(as_text=True)


def _rows(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table.split("<tbody", 1)[1], re.S)


def test_the_dashboard_summarises_every_register_and_draws_few_heat_maps(council):
    html = _get(council, f"/?as_of={AS_OF}")
    registers = db.session.scalars(select(Register).order_by(Register.code)).all()
    rows = _rows(html, "register-summaries")
    assert len(rows) == len(registers) == 20
    assert html.count('class="govuk-table rk-heatmap"') <= 3
    # Each row's total is its register's live risks (the corporate one's, all of them).
    live = dict(db.session.execute(select(Register.code, func.count(Risk.id)).join(Risk.register)
                                   .where(Risk.status.in_(LIVE)).group_by(Register.code)).all())
    codes = {r.id: r.code for r in registers}
    for register, row in zip(registers, rows, strict=True):
        total = int(re.findall(r'govuk-table__cell--numeric">(\d+)</td>', row)[0])
        expected = sum(live.get(codes[i], 0) for i in rollup_ids(register, registers))
        assert total == expected, register.code
        summary = re.search(r'data-summary="([^"]+)"', row).group(1)
        # The register's own heat map, one link away, says the same and names its risks.
        page = _get(council, f"/heatmap?register={register.code}")
        assert f'data-summary="{summary}"' in page
    some = db.session.scalar(select(Risk).where(Risk.status == "open").order_by(Risk.id))
    assert some.reference in _get(council, f"/heatmap?register={some.register.code}")


def test_the_register_list_sorts_by_score_through_the_stored_score(council):
    html = _get(council, "/risks?sort=score")
    assert re.search(r'<select[^>]*id="owner"', html) is None  # no list of every person
    shown = re.findall(r'href="/risks/([A-Z]+\d+)"', html)
    expected = db.session.scalars(select(Risk.reference).where(Risk.status.in_(LIVE)).order_by(
        (Risk.likelihood * Risk.impact).desc(), Risk.reference).limit(25)).all()
    assert shown == expected
    assert db.session.scalar(select(func.count()).where(
        Risk.current_score != Risk.likelihood * Risk.impact)) == 0


def test_the_register_list_filters_by_owner_name_or_email(council):
    owner = db.session.scalar(select(User).join(Risk, Risk.owner_id == User.id).where(
        Risk.status == "open").order_by(User.id))
    theirs = set(db.session.scalars(select(Risk.reference).where(
        Risk.owner_id == owner.id, Risk.status.in_(LIVE))))
    for typed in (owner.name, owner.name.upper(), str(owner.id)):
        html = _get(council, f"/risks?owner={typed}")
        assert set(re.findall(r'href="/risks/([A-Z]+\d+)"', html)) == theirs
        assert f'value="{owner.name}"' in html
    unknown = _get(council, "/risks?owner=Nobody+Atall")
    assert "No person called &#39;Nobody Atall&#39;: give their name or email address" in unknown


def test_a_review_keeps_the_stored_score(app):
    from riskkit.services.reviews import record_review
    from tests.factories import gen_risk

    risk = gen_risk(likelihood=2, impact=2)
    assert risk.current_score == 4
    record_review(risk, None, date(2026, 2, 1), 5, 4, "Worse", reviewer=risk.owner)
    db.session.commit()
    assert db.session.scalar(select(Risk.current_score).where(Risk.id == risk.id)) == 20


def _cli_items(runner, *args) -> list[dict]:
    result = runner.invoke(args=["overdue", "--as-of", AS_OF, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _page_keys(html: str) -> list[tuple[str, str]]:
    rows = _rows(html, "overdue-items") if 'id="overdue-items"' in html else []
    return [re.search(r'href="[^"]*">([^<]+)</a>', row).group(1) for row in rows]


def test_the_overdue_page_counts_as_the_cli_and_pages_without_gaps_or_repeats(council, runner):
    items = _cli_items(runner)
    counts = {kind: sum(1 for i in items if i["kind"] == kind) for kind in KINDS}
    assert counts["review"] > 200 and counts["action"] > 200
    html = _get(council, f"/overdue?as_of={AS_OF}")
    words = {"review": "review", "action": "action", "lesson": "lesson",
             "exercise": "exercise programme item"}
    expected = ", ".join(f"{n} {words[k]}{'s' if n != 1 else ''}" for k, n in counts.items() if n)
    assert f"{len(items)} items as of {REFERENCE_DATE:%d/%m/%Y}: {expected}." in html
    # The register breakdown adds up to the reviews and actions.
    cells = r'--numeric">(\d+)</td><td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>'
    by_register = re.findall(cells, html.split('id="by-register"', 1)[1].split("</table>", 1)[0])
    assert sum(int(r) for r, _ in by_register) == counts["review"]
    assert sum(int(a) for _, a in by_register) == counts["action"]

    # Page through to the end: every item once, in the CLI's order. After the first page an
    # overdue action is added that sorts before it: it appears on no later page, and
    # nothing repeats or goes missing.
    shown, url, pages = [], f"/overdue?as_of={AS_OF}", 0
    while url:
        html = _get(council, url)
        page = _page_keys(html)
        assert 0 < len(page) <= 100
        shown += page
        pages += 1
        if pages == 1:
            _add_early_action()
        found = re.search(r'href="([^"]+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert pages == -(-len(items) // 100)
    # An exercise programme row links its title; the others their reference.
    assert shown == [i["title"] if i["kind"] == "exercise" else i["reference"] for i in items]


def _add_early_action():
    from riskkit.models import Action

    risk = db.session.scalar(select(Risk).where(Risk.status == "open").order_by(Risk.id.desc()))
    db.session.add(Action(risk=risk, description="Late already", owner=risk.owner, status="planned",
                          target_date=date(2000, 1, 1)))
    db.session.commit()


def test_the_overdue_page_filters_by_kind_register_and_owner_and_the_csv_is_whole(council, runner):
    items = _cli_items(runner)
    register = db.session.scalar(select(Register).where(Register.level == "operational")
                                 .order_by(Register.code))
    mine = _cli_items(runner, "--register", register.code)
    html = _get(council, f"/overdue?as_of={AS_OF}&register={register.code}&kind=review")
    assert f"{sum(1 for i in mine if i['kind'] == 'review')} items as of" in html
    person = db.session.scalar(select(User).where(User.email == BENCH_EMAIL))
    owned = _cli_items(runner, "--owner", BENCH_EMAIL)
    html = _get(council, f"/overdue?as_of={AS_OF}&owner={person.email}")
    assert f"{len(owned)} item{'s' if len(owned) != 1 else ''} as of" in html
    bad = _get(council, f"/overdue?as_of={AS_OF}&after=nonsense")
    assert "&#39;nonsense&#39; is not a place in the report: showing the first page" in bad

    response = council.get(f"/overdue.csv?as_of={AS_OF}")
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:2] == ["kind", "reference"]
    assert [(r[0], r[1]) for r in rows[1:]] == [(i["kind"], i["reference"]) for i in items]


@pytest.mark.parametrize(("module", "url", "table", "model"), [
    ("lessons", "/lessons", "lessons", Lesson),
    ("exercises", "/exercises", "events", Event),
])
def test_lessons_and_exercises_are_paged(council, monkeypatch, module, url, table, model):
    from riskkit.web import exercises, lessons

    monkeypatch.setattr({"lessons": lessons, "exercises": exercises}[module], "PER_PAGE", 7)
    total = db.session.scalar(select(func.count(model.id)))
    seen, next_url = [], url
    while next_url:
        html = _get(council, next_url)
        rows = _rows(html, table)
        assert 0 < len(rows) <= 7
        seen += [re.search(r'href="(/[a-z]+/\d+)"', row).group(1) for row in rows]
        found = re.search(r'href="([^"]+)" rel="next"', html)
        next_url = found.group(1).replace("&amp;", "&") if found else None
    assert len(seen) == len(set(seen)) == total


def test_the_cross_reference_pages_its_events_and_counts_them_all(council, monkeypatch):
    from riskkit.services.themes import cross_reference
    from riskkit.web import programme

    monkeypatch.setattr(programme, "EVENTS_PER_PAGE", 5)
    whole = cross_reference()
    assert len(whole.events) > 10
    html = _get(council, "/themes/cross-reference")
    header = html.split('id="cross-reference"', 1)[1].split("</thead>", 1)[0]
    assert header.count('<th scope="col"') == 5 + 3  # theme, 5 events, events, total
    assert f"({len(whole.events)} in all; page 1 of {-(-len(whole.events) // 5)})" in html
    theme = whole.recurring()[0]
    assert f"<strong>{theme.name}</strong>: seen at {whole.events_with(theme)} events" in html
    csv_text = council.get("/themes/cross-reference.csv").get_data(as_text=True)
    assert {row[1] for row in list(csv.reader(io.StringIO(csv_text)))[1:]} == {e.name for e in whole.events}


def _walk(client, url: str, table: str) -> list[str]:
    """Every row of a paged table, following the Next links from the first page."""
    seen, next_url = [], url
    while next_url:
        html = _get(client, next_url)
        seen += _rows(html, table)
        found = re.search(r'href="([^"]+)" rel="next"', html)
        next_url = found.group(1).replace("&amp;", "&") if found else None
    return seen


def _text(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_the_programme_counts_by_rule_and_pages_what_is_due_most_overdue_first(
        council, monkeypatch):
    from riskkit.web import programme as views

    monkeypatch.setattr(views, "PER_PAGE", 3)
    due = programme.due(REFERENCE_DATE)
    assert len(due) > 2 * 3
    first = _get(council, f"/programme?as_of={AS_OF}")
    counts = {_text(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)):
              [int(n) for n in re.findall(r'numeric">(\d+)</td>', row)]
              for row in _rows(first, "due-by-rule")}
    overdue = Counter(i.rule for i in due if i.never or i.days_overdue > 0)
    assert counts == {rule: [n, overdue[rule]] for rule, n in Counter(i.rule for i in due).items()}
    assert f"{len(due)} items due as of" in first
    rows = _walk(council, f"/programme?as_of={AS_OF}", "due")
    assert [_text(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)) for row in rows] == [
        i.rule if i.kind == "exercise" else f"{i.rule}: {i.subject}" for i in due]


def test_the_plans_page_pages_every_plan_with_when_it_was_last_exercised(council, monkeypatch):
    from riskkit.web import programme as views

    monkeypatch.setattr(views, "PER_PAGE", 3)
    every = plans.list_plans()
    latest = plans.last_exercised(REFERENCE_DATE)
    assert len(every) > 2 * 3 and latest
    rows = _walk(council, "/plans", "plans")
    assert [_text(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)) for row in rows] == [
        p.service for p in every]
    for plan, row in zip(every, rows, strict=True):
        exercised = _text(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2])
        if plan.id in latest:
            when, name = latest[plan.id]
            assert exercised == f"{when:%d/%m/%Y} {name}", plan.service
        else:
            assert exercised == "Never", plan.service


def test_a_page_of_the_cross_reference_reads_its_own_cells_and_totals_over_every_event(council):
    whole = themes.cross_reference()
    page = themes.cross_reference(page=2, per_page=5)
    listed = {e.id for e in page.events}
    assert len(listed) == 5 and page.cells
    assert {event_id for _, event_id in page.cells} <= listed
    assert page.cells == {key: value for key, value in whole.cells.items() if key[1] in listed}
    for theme in whole.themes:
        cells = [value for (theme_id, _), value in whole.cells.items() if theme_id == theme.id]
        assert whole.totals(theme) == page.totals(theme) == (
            sum(c[0] for c in cells), sum(c[1] for c in cells))
        assert whole.events_with(theme) == page.events_with(theme) == sum(
            1 for observations, _ in cells if observations)
    assert page.recurring() == whole.recurring()


def test_an_owner_typed_on_the_lessons_page_is_found_or_named(council):
    gen_person("Lee Lessons", email="lee@example.gov.uk")
    db.session.commit()
    found = council.get("/lessons?owner=LEE@example.gov.uk").get_data(as_text=True)
    assert "No lessons match the filters." in found and 'value="Lee Lessons"' in found
    unknown = council.get("/lessons?owner=Nobody")
    assert unknown.status_code == 400
    assert "No person called &#39;Nobody&#39;: give their name or email address" in unknown.get_data(as_text=True)
