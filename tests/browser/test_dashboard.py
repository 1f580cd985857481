"""The dashboard in a real Chromium: the signed-in person's own work first, then the
registers, then the one heat map, redrawn for the register and scores chosen."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_an_owner_sees_their_work_first_and_chooses_the_heat_map(signed_in, snap):
    page = signed_in("owner")  # Chris McKenzie, who owns AH0033 (long overdue on the demo)
    sections = page.locator("main h2").all_inner_texts()
    # Live pressure (the demo's workforce risk at OPEL 3) sits between one's own work and
    # the registers.
    assert sections[:4] == ["Your work", "Risks under pressure (1)", "Registers", "Heat map"]
    expect(page.locator("#my-reviews")).to_have_text(re.compile(r"Your reviews due \(\d+\)"))
    expect(page.locator("#my-reviews-table").get_by_role("link", name="AH0033")).to_be_visible()
    expect(page.locator("table.rk-heatmap")).to_have_count(1)
    snap(page, "dashboard")
    assert_no_serious_violations(page, "dashboard")

    page.locator("#register").select_option("AH")
    page.get_by_role("radio", name="Target").check()
    page.get_by_role("button", name="Show heat map").click()
    expect(page.locator("table.rk-heatmap caption")).to_have_text(
        "Target risk: Adult Social Care and Health")
    expect(page.locator("#register")).to_have_value("AH")
    expect(page.get_by_role("radio", name="Target")).to_be_checked()
    expect(page.locator("table.rk-heatmap")).to_have_count(1)
    snap(page, "dashboard-target-heat-map")
    assert_no_serious_violations(page, "dashboard with the target heat map")
