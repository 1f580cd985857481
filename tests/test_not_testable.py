"""Risks no exercise could test (budget, workforce): a risk or a whole category is marked
"not testable by exercise" with a reason, and the dashboard's "top-rated risks not
exercised" counts only the rest, saying how many it set aside. Through the CLI and the
web pages, with history, and refusals that change nothing."""

import html
import re

import pytest
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import HistoryEntry, NotTestableCategory
from tests.factories import gen_not_testable_category, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages


@pytest.fixture
def risks(site):
    """Three top-rated risks on one register, none exercised: a workforce, a financial
    and a service delivery risk, all Chris McKenzie's."""
    owner = gen_user("Chris McKenzie", "owner")
    register = gen_register("AH")
    return {category: gen_risk(register, owner, likelihood=4, impact=5, category=category,
                               title=f"{category} risk")
            for category in ("Workforce", "Financial", "Service delivery")}


def _unexercised(client) -> str:
    page = html.unescape(client.get("/?as_of=2026-06-01").get_data(as_text=True))
    return re.sub(r"\s+", " ", page.split('id="unexercised"', 1)[1].split('id="heat-map"', 1)[0])


def test_marked_risks_and_categories_are_set_aside_and_counted(risks, login, runner):
    client = login(gen_user("Mo Manager", "manager"))
    assert "not exercised since 01/06/2025 (3)" in _unexercised(client)
    result = runner.invoke(args=["not-testable", "category", "Financial",
                                 "--reason", "Funding is set nationally"])
    assert result.exit_code == 0, result.output
    response = client.post(f"/risks/{risks['Workforce'].reference}/testability", data={
        "testable": "no", "reason": "Recruitment is not something an exercise tests",
        "version": str(risks["Workforce"].version)})
    assert response.status_code == 302, error_messages(response)
    section = _unexercised(client)
    assert "not exercised since 01/06/2025 (1)" in section
    assert "2 more top-rated risks without exercise evidence were set aside as not testable" \
        in section
    assert risks["Service delivery"].reference in section
    assert risks["Workforce"].reference not in section


def test_the_risk_page_says_why_and_a_risk_can_count_again(risks, login, runner):
    gen_not_testable_category("Financial", "Funding is set nationally")
    client = login(gen_user("Mo Manager", "manager"))
    page = html.unescape(client.get(f"/risks/{risks['Financial'].reference}").get_data(as_text=True))
    assert "No, as no Financial risk is: " in page and "Funding is set nationally" in page
    workforce = risks["Workforce"]
    runner.invoke(args=["not-testable", "risk", workforce.reference, "--reason", "Pay is national"])
    assert "No: " in html.unescape(client.get(f"/risks/{workforce.reference}").get_data(as_text=True))
    db.session.expire_all()
    response = client.post(f"/risks/{workforce.reference}/testability", data={
        "testable": "yes", "reason": "", "version": str(workforce.version)})
    assert response.status_code == 302, error_messages(response)
    assert workforce.not_testable_reason == ""
    assert db.session.execute(select(HistoryEntry.old_value, HistoryEntry.new_value).where(
        HistoryEntry.entity == "risk", HistoryEntry.entity_id == workforce.id,
        HistoryEntry.field == "not_testable_reason")).all() == [
        ("", "Pay is national"), ("Pay is national", "")]


def test_a_reason_is_required_and_nothing_changes_without_one(risks, login, runner):
    workforce = risks["Workforce"]
    result = runner.invoke(args=["not-testable", "risk", workforce.reference])
    assert result.exit_code == 1
    assert f"Error: Enter the reason no exercise could test {workforce.reference}" in result.output
    client = login(gen_user("Mo Manager", "manager"))
    response = client.post(f"/risks/{workforce.reference}/testability", data={
        "testable": "no", "reason": "  ", "version": str(workforce.version)})
    assert response.status_code == 400
    assert error_messages(response) == [
        f"Enter the reason no exercise could test {workforce.reference}"]
    result = runner.invoke(args=["not-testable", "category", "Workforce"])
    assert result.exit_code == 1 and "Error: Enter a reason" in result.output
    db.session.expire_all()
    assert workforce.not_testable_reason == ""
    assert db.session.scalars(select(NotTestableCategory)).all() == []


def test_a_category_no_risk_uses_is_refused(risks, login):
    client = login(gen_user("Mo Manager", "manager"))
    response = client.post("/categories/not-testable", data={"category": "Budget",
                                                              "reason": "Set nationally"})
    assert response.status_code == 400
    assert html.unescape(error_messages(response)[0]).startswith(
        "No risk has the category 'Budget': choose one of Financial, Service delivery, Workforce")
    assert db.session.scalars(select(NotTestableCategory)).all() == []


def test_the_categories_page_marks_and_unmarks_with_history(risks, login):
    client = login(gen_user("Mo Manager", "manager"))
    response = client.post("/categories/not-testable", data={
        "category": "Workforce", "reason": "Recruitment is not exercised"})
    assert response.status_code == 302, error_messages(response)
    page = html.unescape(client.get("/categories/not-testable").get_data(as_text=True))
    assert "Workforce" in page.split('id="categories"', 1)[1]
    assert client.post("/categories/not-testable/remove",
                       data={"category": "Workforce"}).status_code == 302
    assert db.session.scalars(select(NotTestableCategory)).all() == []
    assert [c for (c,) in db.session.execute(select(HistoryEntry.change).where(
        HistoryEntry.entity == "category").distinct().order_by(HistoryEntry.change))] == [
        "create", "delete"]


def test_an_owner_marks_their_own_risk_but_not_a_category(risks, login):
    workforce = risks["Workforce"]
    client = login(workforce.owner)
    assert client.get(f"/risks/{workforce.reference}/testability").status_code == 200
    assert client.post("/categories/not-testable", data={
        "category": "Workforce", "reason": "x"}).status_code == 403
    viewer = login(gen_user("Val Viewer", "viewer"))
    assert viewer.get(f"/risks/{workforce.reference}/testability").status_code == 403
