"""Admin journeys for teams and risk appetite in a real Chromium, with axe on every page,
and a team member acting for the team (screenshots as in conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_admin_adds_a_team_and_a_member_acts_for_it(signed_in, snap):
    page = signed_in("admin")
    page.get_by_role("navigation").get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Teams", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    expect(page.locator("#teams-table")).to_contain_text("ASCH Divisional Directors")
    assert_no_serious_violations(page, "teams")
    snap(page, "teams")

    page.get_by_role("link", name="Add a team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a team")
    page.get_by_label("Team name").fill("Public Health Commissioning")
    page.get_by_label("Chris McKenzie").check()
    page.get_by_label("Wayne Gough").check()
    assert_no_serious_violations(page, "add a team")
    snap(page, "team-form")
    page.get_by_role("button", name="Save team").click()

    expect(page).to_have_url(re.compile(r"/admin/teams$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Saved team Public Health Commissioning: 2 members.")
    row = page.locator("#teams-table tr", has_text="Public Health Commissioning")
    expect(row).to_contain_text("Chris McKenzie, Wayne Gough")
    expect(row).to_contain_text("2 members with an email address")
    snap(page, "teams-after")

    # A risk given to the team: the manager chooses it from the owners, marked as a team.
    manager = signed_in("manager")
    manager.goto("/risks/AH0035/edit")
    manager.locator("#owner").select_option(label="Public Health Commissioning (team)")
    manager.get_by_role("button", name="Save risk").click()
    expect(manager.locator("dl")).to_contain_text("Public Health Commissioning (team)")

    # The resilience lead, a member, may now edit the risk as its owner may.
    lead = signed_in("resilience")
    lead.goto("/risks/AH0035")
    expect(lead.get_by_role("link", name="Edit risk")).to_be_visible()
    assert_no_serious_violations(lead, "team-owned risk as a member")
    snap(lead, "risk-as-member")


def test_admin_writes_a_risk_appetite_statement(signed_in, snap):
    page = signed_in("admin")
    page.goto("/admin/users")
    page.get_by_role("link", name="Risk appetite", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk appetite")
    expect(page.locator("#appetite-table")).to_contain_text("very low appetite")
    assert_no_serious_violations(page, "risk appetite")
    snap(page, "appetite")

    page.get_by_role("link", name=re.compile(r"^Financial")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Financial risk appetite")
    expect(page.get_by_label("Highest tolerated score")).to_have_value("12")
    page.get_by_label("Highest tolerated score").fill("twelve")
    page.get_by_role("button", name="Save appetite").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_no_serious_violations(page, "appetite form with an error")
    snap(page, "appetite-error")

    page.get_by_label("Highest tolerated score").fill("12")
    page.get_by_label("Appetite statement").fill(
        "A moderate appetite: the council accepts some financial risk to keep services going.")
    page.get_by_role("button", name="Save appetite").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Saved the Financial risk appetite.")
    expect(page.locator("#appetite-table tr", has_text="Financial")).to_contain_text(
        "A moderate appetite")
    snap(page, "appetite-after")
