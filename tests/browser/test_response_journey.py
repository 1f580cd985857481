"""The response to a declared level in a real Chromium, with axe on every page visited:
OPEL 3 is declared for the organisation (on the command line, as the Short-Term Pathway
Service Manager would after the morning call); Richard Smith, who holds the Assistant
Director / Capacity Manager on Call role in the demo, finds his card on the dashboard and
marks a step done with a note; the step is in the decision log and no longer open in the
day's situation report."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_saving_journeys import assert_confirmation_in_view_and_focused, check

pytestmark = pytest.mark.browser
STEP = "Represent KCC at Multi-Agency conference calls"


@pytest.fixture
def opel_3(riskkit_cli):
    declared = riskkit_cli("indicators", "declare", "3", "--by", "Richard Smith",
                           "--reason", "Short-term Pathway staffing below 50% in two areas")
    assert declared.returncode == 0, declared.stderr
    yield
    # Back to business as usual for the tests that follow.
    riskkit_cli("indicators", "declare", "1", "--by", "Richard Smith", "--reason", "Pressure eased")


def test_a_role_holder_marks_a_step_of_their_card_done(opel_3, signed_in, snap):
    page = signed_in("manager")
    page.goto("/#cards")
    card = page.locator(".govuk-inset-text").filter(has_text="Assistant Director / Capacity Manager on Call")
    expect(card).to_contain_text("OPEL 3 (Red) was declared for the whole organisation by Richard Smith")
    expect(card).to_contain_text("2 of 2 steps still to do.")
    check(page, snap, "dashboard-card")

    step = card.get_by_role("listitem").filter(has_text=STEP)
    step.get_by_label("Note (optional)").fill("Joined the 10:00 whole-system call")
    step.get_by_role("button", name="Mark done").click()
    assert_confirmation_in_view_and_focused(page, f"Marked done: {STEP}")
    card = page.locator(".govuk-inset-text").filter(has_text="Assistant Director / Capacity Manager on Call")
    expect(card).to_contain_text("1 of 2 steps still to do.")
    expect(card.get_by_role("listitem").filter(has_text=STEP)).to_contain_text(
        "Marked done by Richard Smith at")
    check(page, snap, "dashboard-step-done")

    page.goto("/log")
    expect(page.locator("#log-table")).to_contain_text("Joined the 10:00 whole-system call")
    check(page, snap, "decision-log")

    page.goto("/sitrep")
    expect(page.locator("#levels-table")).to_contain_text("OPEL 3 (Red)")
    open_steps = page.locator("#open-steps-table")
    expect(open_steps).to_contain_text("Consider the temporary redeployment of staff from across Area boundaries")
    expect(open_steps.get_by_role("row").filter(has_text="Assistant Director")).to_have_count(1)
    check(page, snap, "sitrep")
