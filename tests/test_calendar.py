"""The calendar feed: RFC 5545 text, the secret per-person address, and its page."""

import dataclasses
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from riskkit import vocab
from riskkit.extensions import db
from riskkit.models import Action, Risk, User
from riskkit.reports.calendar import calendar_bytes, escape, fold
from riskkit.services.exports import CalendarEntry, new_calendar_token
from riskkit.services.risks import LIVE
from tests.conftest import FreshContextClient
from tests.factories import PASSWORD, gen_action, gen_register, gen_risk, gen_user


@pytest.fixture
def chris(app):
    """Chris McKenzie, an owner: his risk on AH (High 20, next review 13/08/2021) with an
    open action due 30/11/2021 and one done; and someone else's risk."""
    chris = gen_user("Chris McKenzie")
    ah = gen_register("AH")
    risk = gen_risk(ah, chris, 5, 4, as_of=date(2021, 5, 13), title="Care market failure")
    risk.next_review_date = date(2021, 8, 13)
    gen_action(risk, "Commission two new providers", target_date=date(2021, 11, 30),
               as_of=date(2021, 5, 13))
    gen_action(risk, "Map the market", status="done", as_of=date(2021, 5, 13))
    gen_risk(ah, gen_user("Sam Other"), title="Someone else's risk")
    db.session.commit()
    return chris


def _person(name: str) -> User:
    return db.session.scalar(select(User).where(User.name == name))


def _unfold(body: bytes) -> list[str]:
    """Content lines, after checking the physical lines: CRLF only, 75 octets at most."""
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    physical = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical), max(physical, key=len)
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def _events(lines: list[str]) -> list[dict[str, str]]:
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name] = value
    return events


def test_text_is_escaped_and_long_lines_fold_between_characters():
    assert escape("a,b;c\\d\ne\r\nf\x07") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "SUMMARY:" + "Réview – ünïcode " * 20
    folded = fold(line)
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    assert folded.decode("utf-8").replace("\r\n ", "") == line + "\r\n"  # no character split
    assert fold("SHORT:x") == b"SHORT:x\r\n"


def test_a_feed_is_a_calendar_of_all_day_events():
    entry = CalendarEntry("review-AH0005", date(2021, 10, 7), "Review AH0005: Continued, pressures",
                          "Line one\nCurrent risk: High 20; more", "AH0005")
    body = calendar_bytes([entry], name="riskkit: Richard Smith", stamp=datetime(2021, 9, 29, 8, 30, tzinfo=UTC),
                          domain="risks.example.gov.uk", page_url=lambda e: f"https://risks.example.gov.uk/risks/{e.reference}")
    lines = _unfold(body)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-1] == "END:VCALENDAR"
    assert any(line.startswith("PRODID:") for line in lines)
    [event] = _events(lines)
    assert event["UID"] == "review-AH0005@risks.example.gov.uk"
    assert event["DTSTAMP"] == "20210929T083000Z"
    assert event["DTSTART;VALUE=DATE"] == "20211007" and event["DTEND;VALUE=DATE"] == "20211008"
    assert event["SUMMARY"] == "Review AH0005: Continued\\, pressures"
    assert event["DESCRIPTION"] == ("Line one\\nCurrent risk: High 20\\; more\\n"
                                    "https://risks.example.gov.uk/risks/AH0005")


def test_chris_mckenzies_feed_has_his_reviews_and_open_actions_without_signing_in(chris, login):
    client = login(None)
    token = new_calendar_token(chris)
    db.session.commit()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = {e["UID"]: e for e in _events(_unfold(response.data))}
    review = events["review-AH0001-20210813@localhost"]
    assert review["DTSTART;VALUE=DATE"] == "20210813"
    assert review["SUMMARY"].startswith("Review AH0001: ")
    assert "Current risk: High 20 Serious (4) Very Likely (5)" in review["DESCRIPTION"]
    assert review["DESCRIPTION"].endswith("http://localhost/risks/AH0001")
    reviews = db.session.scalars(select(Risk).where(
        Risk.owner_id == chris.id, Risk.status.in_(LIVE))).all()
    actions = db.session.scalars(select(Action).join(Risk).where(
        Action.owner_id == chris.id, Action.status.in_(vocab.ACTION_OPEN), Action.target_date.is_not(None),
        Risk.status.in_(LIVE))).all()
    assert len(actions) == 1 and [r.reference for r in reviews] == ["AH0001"]
    assert set(events) == ({f"review-{r.reference}-{r.next_review_date:%Y%m%d}@localhost" for r in reviews}
                           | {f"action-{a.id}-{a.risk.reference}-{a.target_date:%Y%m%d}@localhost"
                              for a in actions})
    action = events[f"action-{actions[0].id}-{actions[0].risk.reference}-{actions[0].target_date:%Y%m%d}@localhost"]
    assert action["DTSTART;VALUE=DATE"] == actions[0].target_date.strftime("%Y%m%d")
    assert action["SUMMARY"].startswith(f"Action due {actions[0].risk.reference}: ")

    actions[0].status = "done"
    db.session.commit()
    later = _events(_unfold(client.get(f"/calendar/{token}.ics").data))
    assert not any(e["UID"].startswith(f"action-{actions[0].id}-") for e in later)


def test_the_feed_has_the_reviews_and_actions_of_ones_open_issues(chris, login):
    from riskkit.services.issues import resolve, save_action
    from tests.factories import gen_issue

    issue = gen_issue(gen_register("OPS"), owner=chris, title="Home care rounds missed", severity=4,
                      raised_on=date(2026, 2, 2))
    action = save_action(issue, None, None, description="Spot-purchase care", owner=chris,
                         target_date=date(2026, 3, 31), status="planned", as_of=date(2026, 2, 2))
    resolved = gen_issue(gen_register("PAY"), owner=chris, title="Old flood", raised_on=date(2026, 1, 2))
    resolve(resolved, None, date(2026, 2, 1), "Water receded")
    token = new_calendar_token(chris)
    db.session.commit()
    events = {e["UID"]: e for e in _events(_unfold(login(None).get(f"/calendar/{token}.ics").data))}
    review = events[f"issue-review-OPS-I001-{issue.next_review_date:%Y%m%d}@localhost"]
    assert review["SUMMARY"] == "Review issue OPS-I001: Home care rounds missed"
    assert "Severity now: 4 Serious" in review["DESCRIPTION"]
    assert review["URL"] == "http://localhost/issues/OPS-I001"
    done = events[f"issue-action-{action.id}-OPS-I001-20260331@localhost"]
    assert done["SUMMARY"] == "Action due OPS-I001: Spot-purchase care"
    assert not any("PAY-I001" in uid for uid in events)  # resolved: nothing more to do


@pytest.mark.parametrize("base_url, domain", [("https://risk.council.example", "risk.council.example"),
                                              ("", "localhost")])
def test_uids_and_links_are_the_same_through_any_address(demo, client, base_url, domain):
    demo.config["SETTINGS"] = dataclasses.replace(demo.config["SETTINGS"], base_url=base_url)
    token = new_calendar_token(_person("Chris McKenzie"))
    db.session.commit()
    feeds = [_events(_unfold(client.get(f"/calendar/{token}.ics", base_url=host).data))
             for host in ("http://risk.internal:8080", "https://calendar-proxy.example")]
    uids = [[e["UID"] for e in events] for events in feeds]
    assert uids[0] == uids[1] and uids[0]
    assert all(uid.endswith(f"@{domain}") for uid in uids[0])
    assert "review-AH0033-20210813@" + domain in uids[0]
    if base_url:
        assert [e["URL"] for e in feeds[0]] == [e["URL"] for e in feeds[1]]
        assert all(e["URL"].startswith(f"{base_url}/risks/") for e in feeds[0])


def test_unknown_or_inactive_feeds_are_not_found(chris, login):
    client = login(None)
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    token = new_calendar_token(chris)
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    chris.active = False
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_page_needs_sign_in_and_regenerating_revokes_the_old_address(chris, login):
    client = login(None)
    assert client.get("/calendar").status_code == 302
    assert client.post("/calendar").status_code == 302
    assert _person("Chris McKenzie").calendar_token is None
    client = login(chris)
    assert "You have no calendar address yet" in client.get("/calendar").get_data(as_text=True)
    assert client.post("/calendar").status_code == 302
    first = _person("Chris McKenzie").calendar_token
    assert len(first) >= 43
    page = client.get("/calendar").get_data(as_text=True)
    assert f'value="http://localhost/calendar/{first}.ics"' in page
    assert f'href="webcal://localhost/calendar/{first}.ics"' in page
    client.post("/calendar")
    second = _person("Chris McKenzie").calendar_token
    assert second != first
    assert "The old one no longer works" in client.get("/calendar").get_data(as_text=True)
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 200


@pytest.fixture
def secure(app, chris):
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = FreshContextClient
    return app.test_client()


def test_making_an_address_needs_the_form_token(secure):
    def token(html):
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    secure.post("/login", data={"email": "chris.mckenzie@example.gov.uk", "password": PASSWORD,
                                "csrf_token": token(secure.get("/login").get_data(as_text=True))})
    assert secure.post("/calendar").status_code == 400
    assert _person("Chris McKenzie").calendar_token is None
    page = secure.get("/calendar").get_data(as_text=True)
    assert secure.post("/calendar", data={"csrf_token": token(page)}).status_code == 302
    assert _person("Chris McKenzie").calendar_token is not None
