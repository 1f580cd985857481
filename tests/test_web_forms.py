"""The forms through Flask's test client: validation, conflicts, history, lifecycle.
Each test builds its registers, risks and people with the factories."""

import re
from datetime import date

from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import HistoryEntry, Risk
from riskkit.services.risks import get_risk
from tests.factories import gen_action, gen_control, gen_person, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages

REVIEWED = ["1", "10", "2021"]  # the review form's date boxes: 1 October 2021
BEFORE = date(2021, 6, 1)  # when the risks reviewed on 1 October were added


def _manager():
    return gen_user("Mo Manager", role="manager")


def _risk_form(person, **changes):
    data = {
        "register": "", "title": "Loss of the care records system", "description": "Outage",
        "cause": "Supplier failure", "consequence": "Care delayed", "category": "Business continuity",
        "owner": str(person.id), "likelihood": "3", "impact": "4", "target_likelihood": "2",
        "target_impact": "4", "target_date": ["31", "3", "2027"], "inherent_likelihood": "",
        "inherent_impact": "", "response": "treat", "version": "", "opened_at": "",
    }
    data.update(changes)
    return data


def _count_risks() -> int:
    return len(db.session.scalars(select(Risk.id)).all())


def test_create_a_risk(login):
    manager, chris = _manager(), gen_user("Chris McKenzie")
    gen_risk(gen_register("AH", owner=manager), chris, title="Care market failure")
    gen_register("OPS")
    client = login(manager)
    response = client.post("/risks/new", data=_risk_form(chris))
    assert response.status_code == 302
    risk = db.session.scalar(select(Risk).where(Risk.title == "Loss of the care records system"))
    assert risk.reference == "AH0002"  # the first register; numbers carry on from AH0001
    assert (risk.likelihood, risk.impact, risk.target_date) == (3, 4, date(2027, 3, 31))
    assert risk.owner.name == "Chris McKenzie"


def test_bad_input_rerenders_with_the_field_named_and_saves_nothing(login):
    manager = _manager()
    gen_register("AH", owner=manager)
    client = login(manager)
    cases = {
        "likelihood": (_risk_form(manager, likelihood="9"),
                       "Current likelihood must be a whole number from 1 to 5"),
        "target": (_risk_form(manager, target_likelihood="5", target_impact="5"),
                   "target score (25) cannot be above the current score (12)"),
        "title": (_risk_form(manager, title=""), "Enter a risk title"),
        "owner": (_risk_form(manager, owner="99999"), "Choose an owner from the list"),
        "date": (_risk_form(manager, target_date=["31", "13", "2027"]), "Not a valid date value."),
    }
    for name, (data, message) in cases.items():
        response = client.post("/risks/new", data=data)
        assert response.status_code == 400, name
        html = response.get_data(as_text=True)
        assert "There is a problem" in html, name
        assert any(message in m for m in error_messages(response)), (name, error_messages(response))
        assert 'value="Loss of the care records system"' in html or name == "title"
    assert _count_risks() == 0


def test_script_in_a_title_is_text_everywhere(login):
    manager = _manager()
    gen_register("AH", owner=manager)
    client = login(manager)
    client.post("/risks/new", data=_risk_form(manager, title="<script>alert(1)</script> payroll"))
    risk = db.session.scalar(select(Risk).where(Risk.title.like("%payroll")))
    for url in ("/", "/risks", f"/risks/{risk.reference}", f"/risks/{risk.reference}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt; payroll" in client.get(
        f"/risks/{risk.reference}").get_data(as_text=True)


def test_review_raises_the_score_and_keeps_the_previous(login):
    manager = _manager()
    risk = gen_risk(owner=gen_user("Chris McKenzie"), likelihood=3, impact=4, as_of=BEFORE)
    client = login(manager)
    response = client.post(f"/risks/{risk.reference}/review", data={
        "reviewed_on": REVIEWED, "likelihood": "4", "impact": "4",
        "comment": "Raised after the audit", "version": str(risk.version), "opened_at": ""})
    assert response.status_code == 302
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    glance = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('id="at-a-glance"')[1]))
    # Each rating once: the band and score on its colour, then the levels behind it.
    assert "High 16 Serious (4) Likely (4)" in glance
    assert "High 16 High 16" not in glance
    assert "from Medium 12 before the last review" in glance  # previous current risk
    assert "Increased" in page and "Raised after the audit" in page
    risk = get_risk(risk.reference)
    assert risk.next_review_date == date(2022, 1, 1)  # High: reviewed every 3 months
    assert risk.reviews[-1].reviewer.name == "Mo Manager"


def test_no_change_review_in_one_step(login):
    owner = gen_user("Chris McKenzie")
    risk = gen_risk(owner=owner, likelihood=5, impact=4, as_of=BEFORE)
    client = login(owner)
    response = client.post(f"/risks/{risk.reference}/review", data={
        "reviewed_on": REVIEWED, "likelihood": "1", "impact": "1", "no_change": "y",
        "version": str(risk.version), "opened_at": ""})
    assert response.status_code == 302
    risk = get_risk(risk.reference)
    assert (risk.likelihood, risk.impact) == (5, 4)
    assert risk.reviews[-1].before_score == risk.reviews[-1].after_score == 20
    assert risk.last_review_date == date(2021, 10, 1)


def test_lowering_without_changed_controls_asks_for_confirmation(login):
    manager = _manager()
    risk = gen_risk(owner=manager, likelihood=4, impact=5, as_of=BEFORE)
    client = login(manager)
    data = {"reviewed_on": REVIEWED, "likelihood": "3", "impact": "4",
            "comment": "New providers in the market", "version": str(risk.version),
            "opened_at": ""}
    first = client.post(f"/risks/{risk.reference}/review", data=data)
    assert first.status_code == 400
    assert "no control or action has changed" in first.get_data(as_text=True)
    assert get_risk(risk.reference).score == 20
    confirmed = client.post(f"/risks/{risk.reference}/review", data={**data, "confirm_lower": "y"})
    assert confirmed.status_code == 302
    assert get_risk(risk.reference).score == 12


def test_next_review_override_needs_a_reason(login):
    manager = _manager()
    risk = gen_risk(owner=manager, likelihood=3, impact=4, as_of=BEFORE)
    client = login(manager)
    data = {"reviewed_on": REVIEWED, "likelihood": "3", "impact": "4",
            "next_review_date": ["1", "11", "2021"], "version": str(risk.version), "opened_at": ""}
    response = client.post(f"/risks/{risk.reference}/review", data=data)
    assert response.status_code == 400
    assert any("Give a reason" in m for m in error_messages(response))
    ok = client.post(f"/risks/{risk.reference}/review", data={**data, "next_review_reason": "Budget set"})
    assert ok.status_code == 302
    assert get_risk(risk.reference).next_review_date == date(2021, 11, 1)


def test_two_editors_the_second_gets_a_conflict_showing_the_change(login):
    risk = gen_risk(owner=gen_user("Chris McKenzie"), title="Information governance")
    first, second = login(_manager()), login(gen_user("Ada Admin", role="admin"))
    edit = f"/risks/{risk.reference}/edit"
    form_a = first.get(edit).get_data(as_text=True)
    form_b = second.get(edit).get_data(as_text=True)

    def fields(html):
        version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
        opened = re.search(r'name="opened_at" type="hidden" value="([^"]+)"', html).group(1)
        return version, opened

    base = {"title": risk.title, "description": risk.description, "cause": risk.cause,
            "consequence": risk.consequence, "category": risk.category,
            "owner": str(risk.owner_id), "target_likelihood": str(risk.target_likelihood),
            "target_impact": str(risk.target_impact), "target_date": ["31", "12", "2021"],
            "inherent_likelihood": "", "inherent_impact": "", "response": "treat"}
    version, opened = fields(form_a)
    saved = first.post(edit, data={**base, "title": "Information governance (GDPR)",
                                                   "version": version, "opened_at": opened})
    assert saved.status_code == 302
    version, opened = fields(form_b)
    clash = second.post(edit, data={**base, "title": "IG compliance",
                                                    "version": version, "opened_at": opened})
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    assert "Someone else changed this while you were editing" in html
    assert "Mo Manager changed risk title" in html and "Information governance (GDPR)" in html
    assert 'value="IG compliance"' in html  # the second editor's entry is not lost
    assert get_risk(risk.reference).title == "Information governance (GDPR)"


def test_web_changes_are_in_the_history_with_the_signed_in_user(login):
    chris = gen_user("Chris McKenzie")
    risk = gen_risk(owner=chris)
    control = gen_control(risk, by=_manager())
    client = login(chris)
    response = client.post(f"/risks/{risk.reference}/controls/{control.id}", data={
        "description": control.description, "owner": str(control.owner_id),
        "effectiveness": "effective", "last_tested": ["1", "9", "2021"],
        "version": str(control.version), "opened_at": ""})
    assert response.status_code == 302
    entries = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.entity == "control", HistoryEntry.entity_id == control.id,
        HistoryEntry.change == "update")).all()
    assert {(e.field, e.old_value, e.new_value) for e in entries} == {
        ("effectiveness", "not_tested", "effective"), ("last_tested", None, "2021-09-01")}
    assert {(e.actor, e.user_id) for e in entries} == {("Chris McKenzie", chris.id)}
    history = client.get(f"/risks/{risk.reference}").get_data(as_text=True).split('id="history"')[1]
    assert "Chris McKenzie" in history


def test_actions_add_mark_done_and_remove(login):
    risk = gen_risk(owner=gen_user("Chris McKenzie"))
    owner, ref = risk.owner, risk.reference
    client = login(_manager())
    added = client.post(f"/risks/{ref}/actions/new", data={
        "description": "Test the generator monthly", "owner": str(owner.id),
        "target_date": ["30", "11", "2021"], "status": "planned", "version": "", "opened_at": ""})
    assert added.status_code == 302
    action = [a for a in get_risk(ref).actions if a.description.startswith("Test the gen")][0]
    page = client.get(f"/risks/{ref}/actions/{action.id}/done")
    assert page.status_code == 200 and "Completion note: what was done" in page.get_data(as_text=True)
    refused = client.post(f"/risks/{ref}/actions/{action.id}/done", data={"version": action.version})
    assert refused.status_code == 400
    assert error_messages(refused) == ["Enter a completion note: what was done"]
    done = client.post(f"/risks/{ref}/actions/{action.id}/done", data={
        "version": action.version, "reason": "Generator run for an hour on 1 May"})
    assert done.status_code == 302
    db.session.expire_all()
    action = [a for a in get_risk(ref).actions if a.id == action.id][0]
    assert action.status == "done" and action.completed_date is not None
    action_id = action.id
    assert client.get(f"/risks/{ref}/actions/{action_id}/remove").status_code == 200
    gone = client.post(f"/risks/{ref}/actions/{action_id}/remove", data={"version": action.version})
    assert gone.status_code == 302
    assert action_id not in [a.id for a in get_risk(ref).actions]


def test_close_reopen_escalate_and_return(login):
    ah = gen_register("AH")
    ah.name = "Adult Social Care and Health"
    ops = gen_register("OPS", parent=ah)
    ops.name = "Adult Social Care and Health Operations"
    for title in ("Day centre transport", "Day centre staffing", "Day centre heating"):
        gen_risk(ops, gen_person(f"{title} Owner"), title=title)
    client = login(_manager())
    version = lambda: str(get_risk("OPS0003").version)  # noqa: E731
    assert client.post("/risks/OPS0003/escalate", data={"version": version(),
                                                          "reason": "Needs corporate attention"}).status_code == 302
    risk = get_risk("OPS0003")
    assert (risk.register.code, risk.status, risk.origin_register.code) == ("AH", "escalated", "OPS")
    assert risk.reference == "OPS0003"
    page = client.get("/risks/OPS0003").get_data(as_text=True)
    assert "escalated from Adult Social Care and Health Operations (OPS)" in page
    assert client.post("/risks/OPS0003/de_escalate", data={"version": version()}).status_code == 302
    assert (get_risk("OPS0003").register.code, get_risk("OPS0003").status) == ("OPS", "open")
    assert client.post("/risks/OPS0003/close", data={"version": version(),
                                                          "reason": "Service decommissioned"}).status_code == 302
    assert get_risk("OPS0003").status == "closed"
    listed = lambda url: re.findall(r'href="/risks/([A-Z]+\d+)"', client.get(url).get_data(as_text=True))  # noqa: E731
    assert "OPS0003" not in listed("/risks")
    assert listed("/risks?status=closed") == ["OPS0003"]
    assert client.post("/risks/OPS0003/reopen", data={"version": version()}).status_code == 302
    assert get_risk("OPS0003").status == "open"


def _care_register():
    """AH (Adult Social Care and Health): two risks at 5 x 4 (High 20) and one at 3 x 4
    (Medium 12), with reviews due on different days of September and October 2021."""
    ah = gen_register("AH")
    owner = gen_user("Chris McKenzie")
    risks = [gen_risk(ah, owner, likelihood, impact, as_of=BEFORE, title=title)
             for likelihood, impact, title in ((5, 4, "Care market failure"),
                                               (5, 4, "Workforce shortages"),
                                               (3, 4, "Information governance"))]
    for risk, due in zip(risks, (date(2021, 9, 20), date(2021, 9, 1), date(2021, 10, 30)), strict=True):
        risk.next_review_date = due
    return risks


def test_register_list_filters_sort_and_heat_map_links(login):
    market, workforce, governance = (r.reference for r in _care_register())
    gen_risk(gen_register("OPS"), likelihood=5, impact=4, title="Day centre transport")
    client = login(gen_user("Val Viewer", role="viewer"))
    high = client.get("/risks?register=AH&rating=High").get_data(as_text=True)
    assert market in high and workforce in high and governance not in high
    assert "Day centre transport" not in high
    cell = client.get("/risks?register=AH&likelihood=5&impact=4").get_data(as_text=True)
    assert "2 risks with likelihood 5 and impact 4" in cell
    dashboard = client.get("/?register=AH").get_data(as_text=True)
    assert 'data-summary="Green 0 Amber 1 Red 2 Total 3"' in dashboard
    assert '/heatmap?register=AH"' in dashboard
    heat_map = client.get("/heatmap?register=AH").get_data(as_text=True)
    assert "/risks?register=AH&amp;likelihood=5&amp;impact=4" in heat_map and market in heat_map
    overdue = client.get("/risks?register=AH&overdue=yes&as_of=2021-09-29&sort=next_review")
    assert re.findall(r'href="/risks/([A-Z]+\d+)"', overdue.get_data(as_text=True)) == [
        workforce, market]
    bad = client.get("/risks?as_of=2021-13-40&overdue=yes")
    assert bad.status_code == 400  # the 400 page, as every page taking as_of (web.params.as_of_arg)
    assert "&#39;2021-13-40&#39; is not a date: use the form 2021-09-29" in bad.get_data(as_text=True)


def test_pagination_keeps_the_filters(login):
    from riskkit.web import register

    owner = gen_user("Chris McKenzie")
    for code in ("AH", "OPS"):
        risks_of = gen_register(code)
        for n in range(5):
            gen_risk(risks_of, owner, title=f"{code} risk {n}")
    register.PER_PAGE, saved = 4, register.PER_PAGE
    try:
        client = login(owner)
        first = client.get("/risks?sort=reference").get_data(as_text=True)
        assert "Page 1 of 3" in first
        assert "/risks?sort=reference&amp;page=2" in first
        second = client.get("/risks?sort=reference&page=2").get_data(as_text=True)
        assert re.findall(r'href="/risks/([A-Z]+\d+)"', second) == ["AH0005", "OPS0001", "OPS0002", "OPS0003"]
    finally:
        register.PER_PAGE = saved


def test_dashboard_lists_a_rating_change_since_the_chosen_date(login):
    manager = _manager()
    risk = gen_risk(gen_register("AH", owner=manager), manager, 3, 4, as_of=BEFORE)
    client = login(manager)
    client.post(f"/risks/{risk.reference}/review", data={
        "reviewed_on": REVIEWED, "likelihood": "4", "impact": "4",
        "comment": "Two providers gave notice", "version": str(risk.version), "opened_at": ""})
    html = client.get("/?since=2021-09-15&as_of=2021-10-02").get_data(as_text=True)
    changes = html.split('id="changes"', 1)[1].split('id="unexercised"', 1)[0]
    assert "(1)" in changes and risk.reference in changes and "Increased" in changes
    assert "Medium 12" in changes and "High 16" in changes
    later = client.get("/?since=2021-10-01&as_of=2021-10-02").get_data(as_text=True)
    assert "No risk has changed rating since 01/10/2021" in later


def test_a_date_sent_as_one_value_is_treated_as_blank_not_a_crash(login):
    risk = gen_risk(owner=gen_user("Chris McKenzie"))
    gen_action(risk, "Review the call tree")
    client = login(_manager())
    added = client.post(f"/risks/{risk.reference}/actions/new", data={
        "description": "Test the generator monthly", "owner": str(risk.owner_id),
        "target_date": "30/11/2021", "status": "planned", "version": "", "opened_at": ""})
    assert added.status_code in (302, 400)
    db.session.expire_all()
    action = [a for a in get_risk(risk.reference).actions if a.description == "Test the generator monthly"]
    assert len(get_risk(risk.reference).actions) == 1 + len(action)
    assert all(a.target_date is None for a in action)


def test_an_exempt_risk_names_its_schedule_12a_paragraph_and_a_change_is_in_the_history(login):
    manager = _manager()
    gen_register("AH", owner=manager)
    client = login(manager)
    response = client.post("/risks/new", data=_risk_form(manager, exempt="y", exempt_paragraph="5"))
    assert response.status_code == 302
    risk = db.session.scalar(select(Risk).where(Risk.title == "Loss of the care records system"))
    assert (risk.exempt, risk.exempt_paragraph) == (True, 5)
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert ("exempt information under paragraph 5 of Part 1 of Schedule 12A to the Local Government Act 1972"
            in page)

    edit = client.get(f"/risks/{risk.reference}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="exempt_paragraph"[^>]*value="5"[^>]*checked', edit)
    form = _risk_form(manager, exempt="y", exempt_paragraph="9", version=str(risk.version))
    del form["register"], form["likelihood"], form["impact"]
    refused = client.post(f"/risks/{risk.reference}/edit", data=form)
    assert refused.status_code == 400
    assert error_messages(refused) == ["Not a valid choice."]
    form["exempt_paragraph"] = "1"
    assert client.post(f"/risks/{risk.reference}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert get_risk(risk.reference).exempt_paragraph == 1
    entry = db.session.scalar(select(HistoryEntry).where(
        HistoryEntry.entity == "risk", HistoryEntry.entity_id == risk.id, HistoryEntry.change == "update",
        HistoryEntry.field == "exempt_paragraph"))
    assert (entry.old_value, entry.new_value) == ("5", "1")


def test_adding_a_risk_before_any_register_exists_says_what_to_do_first(login):
    admin = gen_user("Ada Admin", role="admin")
    response = login(admin).get("/risks/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There are no registers yet" in page
    assert 'href="/admin/registers/new"' in page
    manager = gen_user("Mo Manager", role="manager", email="mo@example.gov.uk")
    page = login(manager).get("/risks/new").get_data(as_text=True)
    assert "Ask an administrator to add one" in page
    assert 'href="/admin/registers/new"' not in page
