"""An issue in a real Chromium, with axe on every page visited: a manager turns a risk
that has happened into an issue (the risk is marked materialised), the issue's owner
records a review, and the manager resolves it, reopening the risk."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_saving_journeys import assert_confirmation_in_view_and_focused, check

pytestmark = pytest.mark.browser


@pytest.fixture
def new_risk(riskkit_cli, tmp_path):
    """A risk of Chris McKenzie's added to AH for this journey (the demo's own risks stay
    as they are for the other journeys). Returns its reference."""
    csv = tmp_path / "risk.csv"
    csv.write_text("Title,Owner,Likelihood,Impact\n"
                   "Loss of the day centre building,Chris McKenzie,3,4\n")
    imported = riskkit_cli("import", str(csv), "--register", "AH")
    assert imported.returncode == 0, imported.stderr
    listed = riskkit_cli("risks", "--register", "AH", "--format", "csv")
    line = next(row for row in listed.stdout.splitlines() if "Loss of the day centre" in row)
    return line.split(",")[0]


def test_a_risk_turned_into_an_issue_then_resolved_reopens_it(new_risk, signed_in, snap):
    page = signed_in("manager")
    page.goto(f"/risks/{new_risk}")
    page.get_by_role("link", name="Turn into an issue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Turn {new_risk} into an issue")
    check(page, snap, "turn-into-issue")

    page.get_by_role("button", name="Turn into an issue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the severity")
    check(page, snap, "turn-into-issue-without-severity")

    page.get_by_label("4 Serious").check()
    page.get_by_role("button", name="Turn into an issue").click()
    assert_confirmation_in_view_and_focused(page, f"{new_risk} has materialised")
    expect(page.locator("#severity")).to_have_text("4 Serious")
    expect(page.locator("#from-risk")).to_contain_text("materialised")
    reference = page.locator("h1 .rk-reference").inner_text()
    check(page, snap, "issue-page")

    page.goto("/issues")
    expect(page.locator("#issues-table")).to_contain_text(reference)
    check(page, snap, "issues-list")

    owner = signed_in("owner")
    owner.goto(f"/issues/{reference}")
    owner.get_by_role("link", name="Record a review").click()
    owner.get_by_label("5 Major").check()
    owner.get_by_label("Review comment").fill("Second building closed by the fire service")
    check(owner, snap, "review-issue")
    owner.get_by_role("button", name="Record review").click()
    assert_confirmation_in_view_and_focused(owner, "severity 5 Major")

    page.goto(f"/issues/{reference}")
    page.get_by_role("link", name="Resolve issue").click()
    page.get_by_label("How was the issue resolved?").fill("Services moved to the library")
    page.get_by_label("Reopen the risk it came from").check()
    check(page, snap, "resolve-issue")
    page.get_by_role("button", name="Resolve issue").click()
    assert_confirmation_in_view_and_focused(page, f"{new_risk} is open again")
    expect(page.locator("main")).to_contain_text("Services moved to the library")
    page.goto(f"/risks/{new_risk}")
    expect(page.locator("#materialised-as")).to_contain_text(f"issue {reference}")
    expect(page.get_by_role("link", name="Turn into an issue")).to_be_visible()
    check(page, snap, "risk-reopened")
