"""The JSON API through its real interface (the test client, tokens in the header):
reading the register, recording a review, conflicts, errors as problem details."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from riskkit.extensions import db
from riskkit.models import HistoryEntry, Risk
from riskkit.services.people import find_person
from tests.conftest import FreshContextClient
from tests.factories import gen_person, gen_register, gen_risk, gen_token
from tests.web_helpers import EMAILS, sign_in

PROBLEM = "application/problem+json"


@pytest.fixture
def api(demo):
    """A client of the demo app as a real server has it: CSRF checks on (the API is
    exempt: a token is not a cookie), each request in its own app context."""
    demo.test_client_class = FreshContextClient
    return demo.test_client()


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def token(role: str, scope: str = "read") -> dict:
    return bearer(gen_token(find_person(EMAILS[role]), scope))


def review_of(risk: dict, **changes) -> dict:
    body = {"reviewed_on": "2021-10-01", "likelihood": risk["current"]["likelihood"],
            "impact": risk["current"]["impact"], "comment": "Reviewed at DMT"}
    body.update(changes)
    return body


def test_end_to_end_token_list_review_conflict_revoke(api, runner):
    """A token made at the command line lists the register page by page, records a
    review, is refused a stale save with the risk as it now is, and stops on revocation."""
    made = runner.invoke(args=["tokens", "create", "--user", EMAILS["manager"], "--name", "Power BI",
                               "--scope", "read-write"])
    headers = bearer(made.stdout.strip())
    references, url = [], "/api/v1/risks?limit=4&status=all"
    while url:
        page = api.get(url, headers=headers)
        assert page.status_code == 200 and page.content_type == "application/json"
        references += [risk["reference"] for risk in page.json["items"]]
        url = page.json["next"]
    assert sorted(references) == sorted(db.session.scalars(select(Risk.reference)))
    assert len(references) == len(set(references)) == 9

    risk = api.get("/api/v1/risks/AH0005", headers=headers)
    etag = risk.headers["ETag"]
    assert etag == f'"{risk.json["version"]}"'
    saved = api.post("/api/v1/risks/AH0005/reviews", headers={**headers, "If-Match": etag},
                     json=review_of(risk.json, comment="Reviewed at DMT, no change"))
    assert saved.status_code == 201, saved.json
    assert saved.json["reviews"][-1]["comment"] == "Reviewed at DMT, no change"
    assert saved.json["last_review_date"] == "2021-10-01"
    assert saved.headers["ETag"] != etag and saved.headers["Location"].endswith("/api/v1/risks/AH0005")

    stale = api.post("/api/v1/risks/AH0005/reviews", headers={**headers, "If-Match": etag},
                     json=review_of(risk.json, reviewed_on="2021-10-02"))
    assert stale.status_code == 409 and stale.content_type == PROBLEM
    assert stale.json["current"]["version"] == saved.json["version"]
    assert stale.json["current"]["last_review_date"] == "2021-10-01"
    assert "changed by someone else" in stale.json["detail"]

    token_id = runner.invoke(args=["tokens", "list"]).stdout.splitlines()[2].split()[0]
    assert runner.invoke(args=["tokens", "revoke", token_id]).exit_code == 0
    gone = api.get("/api/v1/risks", headers=headers)
    assert gone.status_code == 401 and gone.content_type == PROBLEM
    assert gone.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_review_leaves_the_same_history_as_the_web_form(api):
    headers = token("owner", "read-write")
    risk = api.get("/api/v1/risks/AH0033", headers=headers).json
    assert risk["current"]["impact"] < 5
    body = review_of(risk, version=risk["version"], impact=risk["current"]["impact"] + 1,
                     comment="Worse since the provider failed")
    assert api.post("/api/v1/risks/AH0033/reviews", headers=headers, json=body).status_code == 201
    entry = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.entity == "risk", HistoryEntry.field == "impact")
        .order_by(HistoryEntry.id.desc())).first()
    assert entry.actor == "Chris McKenzie" and entry.new_value == str(body["impact"])


def test_the_services_rules_answer_422_naming_the_field(api):
    headers = token("manager", "read-write")
    risk = api.get("/api/v1/risks/AH0005", headers=headers).json
    cases = [
        (review_of(risk), None, "version"),  # no If-Match and no version
        ({**review_of(risk, version=risk["version"]), "likelihood": 9}, None, "likelihood"),
        ({k: v for k, v in review_of(risk, version=1).items() if k != "impact"}, None, "impact"),
        (review_of(risk, version=risk["version"], reviewed_on="2020-01-01"), None, "reviewed_on"),
        (review_of(risk, version=risk["version"], colour="red"), None, "colour"),
        (review_of(risk), '"v1"', "If-Match"),
        (review_of(risk), '"\u00b2"', "If-Match"),  # a digit to Python, but no number
        # a lower score with nothing changed needs confirming, as on the web form
        (review_of(risk, version=risk["version"], likelihood=1, impact=1, comment="Better"), None,
         "confirm_lower"),
    ]
    for body, if_match, field in cases:
        extra = {"If-Match": if_match} if if_match else {}
        refused = api.post("/api/v1/risks/AH0005/reviews", headers={**headers, **extra}, json=body)
        assert refused.status_code == 422, (field, refused.json)
        assert refused.content_type == PROBLEM and refused.json["field"] == field
        assert refused.json["status"] == 422 and refused.json["detail"]
    assert api.get("/api/v1/risks/AH0005", headers=headers).json["version"] == risk["version"]


@pytest.mark.parametrize("query, field", [
    ("rating=Scarlet", "rating"), ("register=NOPE", "register"), ("owner=Nobody", "owner"),
    ("sort=colour", "sort"), ("limit=0", "limit"), ("next_review_before=2021-13-01", "next_review_before"),
    ("after=%%%", "after"), ("after=WzFd", "after"), ("colour=red", "colour"),
    # a well-formed key with a number no database column holds
    ("after=WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwLCAiQUgwMDA1Il0", "after")])
def test_a_bad_filter_is_a_422_naming_it(api, query, field):
    refused = api.get(f"/api/v1/risks?{query}", headers=token("viewer"))
    assert refused.status_code == 422 and refused.json["field"] == field, refused.json


def test_refusals_are_problem_details(api, web):
    assert api.get("/api/v1/risks").status_code == 401
    assert api.get("/api/v1/risks", headers={"Authorization": "Bearer rk_made_up"}).status_code == 401
    assert api.get("/api/v1/risks", headers={"Authorization": "Basic YTpi"}).status_code == 401
    headers = token("viewer")
    for url, status in (("/api/v1/risks/XX9999", 404), ("/api/v1/nowhere", 404)):
        answer = api.get(url, headers=headers)
        assert answer.status_code == status and answer.content_type == PROBLEM
    assert api.delete("/api/v1/risks", headers=headers).status_code == 405
    broken = api.post("/api/v1/risks/AH0005/reviews", data="{not json",
                      headers={**token("manager", "read-write"), "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.content_type == PROBLEM


def test_a_read_token_makes_no_change_whatever_its_person_may_do(api):
    headers = token("admin", "read")
    risk = api.get("/api/v1/risks/AH0005", headers=headers).json
    refused = api.post("/api/v1/risks/AH0005/reviews", headers=headers,
                       json=review_of(risk, version=risk["version"]))
    assert refused.status_code == 403 and "may only read" in refused.json["detail"]


def test_a_session_cookie_is_never_enough_and_never_set(api, demo):
    demo.config["WTF_CSRF_ENABLED"] = False  # to sign in through the form
    sign_in(api, "admin")
    assert api.get("/api/v1/risks").status_code == 401
    answer = api.get("/api/v1/risks", headers=token("viewer"))
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_too_many_requests_is_a_429_with_retry_after(api, demo):
    demo.config["API_RATE_LIMIT"] = 2
    headers = token("viewer")
    assert [api.get("/api/v1/registers", headers=headers).status_code for _ in range(3)] == [200, 200, 429]
    limited = api.get("/api/v1/registers", headers=headers)
    assert limited.content_type == PROBLEM and int(limited.headers["Retry-After"]) >= 1
    assert api.get("/api/v1/registers", headers=token("owner")).status_code == 200


@pytest.mark.parametrize("sort", ["score", "reference", "next_review"])
def test_pages_follow_the_sort_without_repeats_or_gaps(app, sort):
    register = gen_register()
    owner = gen_person("Olu Owner", role="viewer", email="olu@example.gov.uk", password="long enough password")
    for n in range(11):
        risk = gen_risk(register, owner, likelihood=1 + n % 5, impact=1 + n % 3, title=f"Risk {n}")
        if n % 4 == 0:
            risk.next_review_date = None
    db.session.commit()
    app.test_client_class = FreshContextClient
    client, headers = app.test_client(), bearer(gen_token(owner))
    whole = client.get(f"/api/v1/risks?sort={sort}&limit=500", headers=headers).json["items"]
    seen, url = [], f"/api/v1/risks?sort={sort}&limit=3"
    while url:
        page = client.get(url, headers=headers).json
        seen += page["items"]
        url = page["next"]
    assert [r["reference"] for r in seen] == [r["reference"] for r in whole]
    assert len(whole) == 11


def test_filters(api):
    headers = token("viewer")

    def refs(query):
        return {r["reference"] for r in api.get(f"/api/v1/risks?{query}", headers=headers).json["items"]}

    assert refs("register=OPS") == {"OPS0003", "OPS0005", "OPS0059"}
    assert refs("owner=Chris McKenzie") == {"AH0033"}
    high = refs("rating=High")
    assert high and all(api.get(f"/api/v1/risks/{r}", headers=headers).json["current"]["rating"] == "High"
                        for r in high)
    above = refs("above_appetite=true")
    assert above and above.isdisjoint(refs("above_appetite=false"))
    assert above | refs("above_appetite=false") == refs("")
    overdue = refs("next_review_before=2021-09-29")
    assert overdue and all(api.get(f"/api/v1/risks/{r}", headers=headers).json["next_review_date"] < "2021-09-29"
                           for r in overdue)


def test_one_risk_carries_its_lessons_and_exercises(api):
    risk = api.get("/api/v1/risks/ah0011", headers=token("viewer")).json
    assert risk["reference"] == "AH0011" and risk["events"] and risk["controls"]
    assert {"rating", "score"} <= set(risk["current"])
    assert all(date.fromisoformat(e["start_date"]) for e in risk["events"])


def test_overdue_is_the_clis_answer(api, runner):
    cli = json.loads(runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--format", "json"]).stdout)
    answer = api.get("/api/v1/overdue?as_of=2021-09-29", headers=token("viewer"))
    assert answer.json == cli and cli
    ah = api.get("/api/v1/overdue?as_of=2021-09-29&register=AH", headers=token("viewer")).json
    assert ah and {item["register"] for item in ah} == {"AH"}


def test_heat_map_counts_are_the_dashboards(api):
    heat = api.get("/api/v1/registers/AH/heatmap", headers=token("viewer")).json
    assert [(b["rating"], b["count"]) for b in heat["bands"]] == [("Low", 0), ("Medium", 4), ("High", 2)]
    assert heat["total"] == 6 == sum(cell["count"] for cell in heat["cells"])
    corporate = api.get("/api/v1/registers/CORP/heatmap?scores=target", headers=token("viewer")).json
    assert set(corporate["registers"]) >= {"CORP", "AH"}
    registers = api.get("/api/v1/registers", headers=token("viewer")).json
    assert {"AH", "OPS", "CORP"} <= {r["code"] for r in registers}


def test_the_description_and_its_page(api):
    spec = api.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert {"/api/v1/risks", "/api/v1/risks/{reference}", "/api/v1/risks/{reference}/reviews",
            "/api/v1/registers", "/api/v1/registers/{code}/heatmap", "/api/v1/overdue"} <= set(spec["paths"])
    page = api.get("/api/v1/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "POST /api/v1/risks/{reference}/reviews" in html
    assert "https://" not in html.split("<body", 1)[1].replace("https://www.w3.org", "")


def test_an_actions_owner_updates_its_progress_on_someone_elses_risk(api):
    """Paula Parker owns an action on AH0005 (Richard Smith's): she may move it on, with
    the same history as the web form, and a stale version is a 409 with the action now."""
    paula = find_person("Paula Parker")
    paula.email, paula.role = "paula@example.gov.uk", "owner"
    paula.set_password("long enough password")
    db.session.commit()
    headers = bearer(gen_token(paula, "read-write"))
    action = api.get("/api/v1/risks/AH0005", headers=headers).json["actions"][0]
    done = api.patch(f"/api/v1/risks/AH0005/actions/{action['id']}", headers={
        **headers, "If-Match": f'"{action["version"]}"'}, json={"status": "done", "completed_date": "2021-10-04"})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done" and done.json["completed_date"] == "2021-10-04"
    assert done.headers["ETag"] == f'"{done.json["version"]}"' != f'"{action["version"]}"'
    entry = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.entity == "action", HistoryEntry.field == "status").order_by(HistoryEntry.id)).all()[-1]
    assert (entry.actor, entry.old_value, entry.new_value) == ("Paula Parker", "in_progress", "done")
    stale = api.patch(f"/api/v1/risks/AH0005/actions/{action['id']}", headers=headers,
                      json={"status": "planned", "version": action["version"]})
    assert stale.status_code == 409 and stale.json["current"]["status"] == "done"
    control = api.get("/api/v1/risks/AH0005", headers=headers).json["controls"][0]
    refused = api.patch(f"/api/v1/risks/AH0005/controls/{control['id']}", headers=headers,
                        json={"effectiveness": "effective", "version": control["version"]})
    assert refused.status_code == 403  # not hers, nor her risk


def test_a_controls_effectiveness_and_last_test(api):
    headers = token("manager", "read-write")
    control = api.get("/api/v1/risks/AH0005", headers=headers).json["controls"][0]
    url = f"/api/v1/risks/AH0005/controls/{control['id']}"
    bad = api.patch(url, headers=headers, json={"effectiveness": "superb", "version": control["version"]})
    assert bad.status_code == 422 and bad.json["field"] == "effectiveness"
    assert api.patch("/api/v1/risks/AH0005/controls/999999", headers=headers,
                     json={"version": 1}).status_code == 404
    saved = api.patch(url, headers=headers, json={"effectiveness": "partly_effective",
                                                  "last_tested": "2021-09-20", "version": control["version"]})
    assert saved.status_code == 200, saved.json
    assert (saved.json["effectiveness"], saved.json["last_tested"]) == ("partly_effective", "2021-09-20")
    assert saved.json["description"] == control["description"] and saved.json["owner"] == control["owner"]


def test_a_page_of_risks_takes_the_same_statements_however_many_risks(app):
    """No statement per risk: a page of 40 reads the database as often as a page of 4."""
    register = gen_register()
    owner = gen_person("Olu Owner", role="viewer", email="olu@example.gov.uk", password="long enough password")
    app.test_client_class = FreshContextClient
    client, headers = app.test_client(), bearer(gen_token(owner))

    def statements(count: int) -> int:
        while db.session.scalar(select(func.count(Risk.id))) < count:
            gen_risk(register, gen_person(f"Owner {count}-{db.session.scalar(select(func.count(Risk.id)))}"))
        client.get("/api/v1/risks?limit=2", headers=headers)  # the token's last use is written once
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            answer = client.get("/api/v1/risks?limit=100", headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(answer.json["items"]) == count
        return len(seen)

    assert statements(4) == statements(40)


def test_every_route_of_the_description_is_in_the_guide(api):
    """docs/api.md's table names every method and path the API answers."""
    guide = (Path(__file__).parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    spec = api.get("/api/v1/openapi.json").json
    missing = [f"{method.upper()} {path}" for path, item in spec["paths"].items()
               for method in item if method in ("get", "post", "put", "patch", "delete")
               if f"`{method.upper()} {path}" not in guide]
    assert missing == []
