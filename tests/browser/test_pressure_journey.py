"""Operational pressure in a real Chromium, with axe on every page visited: a manager
records today's readings for the Short Term Pathway Team in the daily grid, sees the
level proposed from them, and declares it (a reason first refused as missing). The
levels page is also checked, and photographed for docs/indicators.md, at 320 and 1280
pixels wide."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_saving_journeys import assert_confirmation_in_view_and_focused, check

pytestmark = pytest.mark.browser


def test_record_todays_readings_see_the_proposed_level_and_declare_it(signed_in, snap):
    page = signed_in("manager")
    page.goto("/indicators")
    check(page, snap, "indicators")
    page.get_by_role("link", name="Record today's readings for Short Term Pathway Team").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Short Term Pathway Team")
    check(page, snap, "grid")

    east = page.get_by_label("Staffing of Short-term Pathway Team, East Kent (%)")
    east.fill("lots")
    page.get_by_role("button", name="Save readings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Staffing of Short-term Pathway Team, East Kent: Value must be a number")
    check(page, snap, "grid-refused")

    page.get_by_label("Staffing of Short-term Pathway Team, East Kent (%)").fill("30")
    page.get_by_role("button", name="Save readings").click()
    assert_confirmation_in_view_and_focused(page, "Recorded 1 reading for")
    organisation = page.get_by_role("region", name="The organisation")
    expect(organisation).to_contain_text("Proposed OPEL 4 (Black)")
    expect(organisation).to_contain_text("Staffing of Short-term Pathway Team, East Kent: OPEL 4 (Black)")
    check(page, snap, "levels")

    organisation.get_by_role("link", name="Declare the level for the organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Declare the level for the organisation")
    expect(page.get_by_label("OPEL 4 (Black)")).to_be_checked()
    page.get_by_role("button", name="Declare level").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a reason")
    check(page, snap, "declare-without-reason")

    page.get_by_label("Reason").fill("East Kent hospital team staffed at 30%")
    page.get_by_role("button", name="Declare level").click()
    assert_confirmation_in_view_and_focused(page, "Declared OPEL 4 (Black) for the organisation.")
    expect(page.get_by_role("region", name="The organisation")).to_contain_text(
        "OPEL 4 (Black) by Richard Smith")
    check(page, snap, "declared")


@pytest.mark.parametrize("width", [320, 1280])
def test_the_levels_page_reads_at_every_width(signed_in, snap, width):
    page = signed_in("viewer")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/levels")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pressure levels")
    expect(page.get_by_role("link", name="Declare the level for the organisation")).to_have_count(0)
    check(page, snap, f"levels-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_archive_an_indicator_from_its_edit_page(signed_in, snap):
    """A manager archives an indicator no longer measured, and restores it, with axe on
    each page: it moves to the foot of the Indicators list and keeps its readings."""
    page = signed_in("manager")
    page.goto("/indicators")
    page.get_by_role("link", name="Referrals").first.click()
    name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Change indicator").click()
    page.get_by_role("link", name="Archive this indicator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Archive {name}")
    check(page, snap, "archive-indicator")
    page.get_by_role("button", name="Archive indicator").click()
    assert_confirmation_in_view_and_focused(page, f"Archived {name}.")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Archived")
    check(page, snap, "archived-indicator")

    page.goto("/indicators")
    expect(page.get_by_role("heading", name="Archived indicators")).to_be_visible()
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("link", name="Change indicator").click()
    page.get_by_role("link", name="Restore this indicator").click()
    page.get_by_role("button", name="Restore indicator").click()
    assert_confirmation_in_view_and_focused(page, f"Restored {name}.")
