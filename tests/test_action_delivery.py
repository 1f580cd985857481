"""Delivery of actions: per register and per owner, the share of actions due in a period
that were completed by their target date, against the target share
(RISKKIT_ACTION_DELIVERY_TARGET, 80% unless set), through `riskkit actions delivery`, its
page and the dashboard; and the log of who published, exported or downloaded each
committee document, listed for managers and admins."""

import html
import json
import re
from datetime import UTC, date, datetime

import pytest
from flask import current_app
from sqlalchemy import select, update

from riskkit import clock
from riskkit.config import from_environment
from riskkit.errors import SettingError
from riskkit.extensions import db
from riskkit.models import Action, DocumentLog
from tests.factories import gen_action, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages

AS_OF = date(2026, 6, 1)


@pytest.fixture
def actions(site):
    """On AH (Chris McKenzie's risk) and OPS (Helen Burns's), as of 1 June 2026: one
    action done on time, one done late, one still open past its date, one cancelled, and
    one not due until September."""
    chris, helen = gen_user("Chris McKenzie", "owner"), gen_user("Helen Burns", "owner")
    ah = gen_risk(gen_register("AH"), chris, title="Care market failure")
    ops = gen_risk(gen_register("OPS"), helen, title="AMHP recruitment")
    gen_action(ah, "Market review", status="done", target_date=date(2026, 3, 31),
               as_of=date(2026, 3, 20))
    gen_action(ah, "Provider summit", status="done", target_date=date(2026, 3, 31),
               as_of=date(2026, 4, 10))
    gen_action(ops, "Advertise posts", status="in_progress", target_date=date(2026, 4, 30))
    gen_action(ops, "Agency framework", status="cancelled", target_date=date(2026, 4, 30))
    gen_action(ops, "Training places", target_date=date(2026, 9, 30))
    return {"chris": chris, "helen": helen}


def _delivery(runner, *args):
    return runner.invoke(args=["actions", "delivery", "--from", "2026-01-01", "--to",
                               "2026-12-31", "--as-of", AS_OF.isoformat(), *args])


def test_the_share_completed_by_the_target_date_per_register_and_owner(actions, runner):
    result = _delivery(runner, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["target"] == 80
    assert report["total"] == {"name": "All", "due": 3, "on_time": 1, "late": 2, "share": 33,
                               "meets_target": False}
    assert [(r["name"], r["due"], r["on_time"], r["share"]) for r in report["registers"]] == [
        ("AH AH register", 2, 1, 50), ("OPS OPS register", 1, 0, 0)]
    assert [(o["name"], o["due"], o["on_time"]) for o in report["owners"]] == [
        ("Chris McKenzie", 2, 1), ("Helen Burns", 1, 0)]
    text = _delivery(runner).output
    assert text.startswith("Actions due 01/01/2026 to 31/12/2026: 3, 1 completed by their"
                           " target date (33% below target); target 80%")


def test_the_target_share_is_a_setting(actions, runner, app, tmp_path):
    app.config["ACTION_DELIVERY_TARGET"] = 30
    report = json.loads(_delivery(runner, "--format", "json").output)
    assert report["total"]["meets_target"] is True
    assert from_environment({"RISKKIT_DATA_DIR": str(tmp_path)}).action_delivery_target == 80
    with pytest.raises(SettingError, match="RISKKIT_ACTION_DELIVERY_TARGET"):
        from_environment({"RISKKIT_DATA_DIR": str(tmp_path),
                          "RISKKIT_ACTION_DELIVERY_TARGET": "101"})


def test_a_period_that_ends_before_it_starts_is_refused(actions, runner, login):
    result = runner.invoke(args=["actions", "delivery", "--from", "2026-12-31", "--to",
                                 "2026-01-01"])
    assert result.exit_code == 1
    assert "Error: The period's end (01/01/2026) is before its start (31/12/2026)" in result.output
    client = login(gen_user("Mo Manager", "manager"))
    response = client.get("/actions/delivery?from=2026-12-31&to=2026-01-01")
    assert response.status_code == 400
    assert html.unescape(error_messages(response)[0]) == (
        "The period's end (01/01/2026) is before its start (31/12/2026)")


def test_the_page_and_the_dashboard_show_delivery(actions, login, monkeypatch):
    from riskkit.web import delivery, params

    monkeypatch.setattr(delivery, "today", lambda: AS_OF)
    client = login(actions["chris"])
    page = html.unescape(client.get("/actions/delivery?from=2026-01-01&to=2026-12-31")
                         .get_data(as_text=True))
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "1 of 3 actions due 01/01/2026 to 31/12/2026 completed by their target date: 33%" \
        in words
    owners = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('id="by-owner"', 1)[1]
                                        .split("</table>", 1)[0]))
    assert "Chris McKenzie 2 1 1 50% Below target" in owners
    monkeypatch.setattr(params, "today", lambda: AS_OF)  # the dashboard's day
    board = html.unescape(client.get("/").get_data(as_text=True))
    section = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", board.split('id="delivery"', 1)[1]
                                         .split('id="heat-map"', 1)[0]))
    assert "02/06/2025 to 01/06/2026" in section
    assert "1 of 3 (33%) against a target of 80%" in section
    assert "AH AH register 2 1 1 50% Below target" in section


# --- who published, exported or downloaded each committee document ----------------------


def test_publishing_exporting_and_downloading_are_logged_for_managers(site, runner, login,
                                                                     tmp_path):
    manager = gen_user("Mo Manager", "manager")
    gen_risk(gen_register("CORP", level="corporate"), manager, title="Care market failure")
    with clock.frozen(datetime(2026, 4, 2, 10, tzinfo=UTC)):
        result = runner.invoke(args=["report", "publish", "--quarter", "2026Q1"])
        assert result.exit_code == 0, result.output
    assert runner.invoke(args=["export", str(tmp_path / "register.xlsx")]).exit_code == 0
    client = login(manager)
    assert client.get("/appendix.html?public=1").status_code == 200
    assert client.get("/published/2026Q1/changes-2026Q1.csv").status_code == 200
    assert client.get("/heatmap.html?register=CORP").status_code == 200
    entries = db.session.execute(select(DocumentLog.actor, DocumentLog.action,
                                        DocumentLog.document).order_by(DocumentLog.id)).all()
    assert [(action, document) for _, action, document in entries] == [
        ("published", "Committee papers 2026Q1"), ("exported", "Risk registers"),
        ("downloaded", "Register appendix, public version"),
        ("downloaded", "Published papers 2026Q1: Changes table, public version"),
        ("downloaded", "Heat map CORP")]
    assert entries[0].actor.startswith("command line") and entries[2].actor == "Mo Manager"
    page = html.unescape(client.get("/published/log").get_data(as_text=True))
    rows = page.split('id="document-log"', 1)[1]
    assert rows.index("Published papers 2026Q1") < rows.index("Committee papers 2026Q1")
    owner = login(gen_user("Chris McKenzie", "owner"))
    assert owner.get("/published/log").status_code == 403


def test_actions_done_before_completion_dates_were_kept_take_the_day_from_history(site):
    """Migration 0019: an action done with no completion date takes the day the history
    shows it marked done (the last time, if it was reopened)."""
    from flask_migrate import downgrade, upgrade

    from riskkit.database import MIGRATIONS, configure_migrations
    from riskkit.services.lifecycle import mark_done

    risk = gen_risk(gen_register("AH"), gen_user("Mo Manager", "manager"))
    action = gen_action(risk, "Market review", status="in_progress")
    with clock.frozen(datetime(2026, 3, 20, 9, tzinfo=UTC)):
        mark_done(risk, risk.owner, action, "Review published", as_of=date(2026, 3, 20))
        db.session.commit()
    untouched = gen_action(risk, "Provider summit", status="in_progress")
    ids = action.id, untouched.id
    db.session.execute(update(Action).values(completed_date=None))
    db.session.commit()
    db.session.remove()
    configure_migrations(current_app)
    downgrade(directory=MIGRATIONS, revision="0015")
    upgrade(directory=MIGRATIONS)
    assert [db.session.get(Action, i).completed_date for i in ids] == [date(2026, 3, 20), None]


def test_exercise_reports_and_improvement_plans_are_logged_on_the_web_and_the_command_line(
        site, runner, login, tmp_path):
    from tests.factories import gen_event, gen_lesson

    oak = gen_event("Exercise Oak")
    gen_lesson(oak)
    db.session.commit()
    assert runner.invoke(args=["exercises", "report", str(oak.id),
                               str(tmp_path / "oak.pdf")]).exit_code == 0
    assert runner.invoke(args=["exercises", "improvement-plan", str(tmp_path / "plan.xlsx"),
                               "--open-only"]).exit_code == 0
    client = login(gen_user("Val Viewer", "viewer"))
    assert client.get(f"/exercises/{oak.id}/report.html").status_code == 200
    assert client.get(f"/improvement-plan.xlsx?event={oak.id}").status_code == 200
    entries = db.session.execute(select(DocumentLog.actor, DocumentLog.action, DocumentLog.document,
                                        DocumentLog.detail).order_by(DocumentLog.id)).all()
    assert [(action, document) for _, action, document, _ in entries] == [
        ("exported", "Exercise report: Exercise Oak"),
        ("exported", "Improvement plan: all exercises and incidents (open lessons)"),
        ("downloaded", "Exercise report: Exercise Oak"), ("downloaded", "Improvement plan: Exercise Oak")]
    assert entries[0].actor.startswith("command line") and entries[2].actor == "Val Viewer"
    assert entries[0].detail.endswith("oak.pdf") and entries[2].detail == "exercise-report-exercise-oak.html"
    assert entries[3].detail.startswith("improvement-plan-exercise-oak-")
