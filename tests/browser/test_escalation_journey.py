"""Escalation by rule in a real Chromium, with axe on every page visited: a register's
threshold (set with the CLI, as an admin would) proposes its high-scoring risks to the
parent register's manager on the dashboard, who declines one with a reason."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_saving_journeys import assert_confirmation_in_view_and_focused, check

pytestmark = pytest.mark.browser


@pytest.fixture
def ops_escalates_at_16(riskkit_cli):
    """OPS (under AH, which Richard Smith owns) proposes risks scoring 16 or more."""
    set_threshold = riskkit_cli("registers", "edit", "OPS", "--escalate-at", "16")
    assert set_threshold.returncode == 0, set_threshold.stderr
    yield
    riskkit_cli("registers", "edit", "OPS", "--no-escalate")


def test_parent_manager_declines_a_proposal_with_a_reason(ops_escalates_at_16, signed_in, snap):
    page = signed_in("manager")
    page.goto("/")
    proposals = page.get_by_role("region", name="Proposed for escalation")
    row = proposals.get_by_role("row").filter(has_text="OPS0059")
    expect(row).to_contain_text("threshold 16, to AH")
    check(page, snap, "dashboard-proposals")

    row.get_by_role("link", name="Decline escalating OPS0059").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Decline escalating OPS0059")
    check(page, snap, "decline-page")

    page.get_by_role("button", name="Decline escalation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why OPS0059 is not being escalated")
    check(page, snap, "decline-without-reason")

    page.get_by_label("Why is the risk not being escalated?").fill(
        "Managed within the operational register; the mitigation plan is funded")
    page.get_by_role("button", name="Decline escalation").click()
    assert_confirmation_in_view_and_focused(page, "OPS0059 stays on the")

    page.goto("/")
    expect(page.get_by_role("region", name="Proposed for escalation")).not_to_contain_text("OPS0059")
    page.goto("/risks/OPS0059/history")
    expect(page.locator("main")).to_contain_text("Managed within the operational register")
    check(page, snap, "history-with-reason")


def test_a_viewer_sees_no_proposals(ops_escalates_at_16, signed_in):
    page = signed_in("viewer")
    page.goto("/")
    expect(page.get_by_role("heading", name="Proposed for escalation")).to_have_count(0)
