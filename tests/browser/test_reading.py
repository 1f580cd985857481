"""Reading the register in a real Chromium: every main page reflows at 320 CSS px (only
data tables scroll, inside their own focusable region); the keyboard's way to a review
is short, and counted; heat-map links show the GOV.UK focus style."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import assert_no_serious_violations

pytestmark = pytest.mark.browser

#: The main pages, as the manager sees them. The dashboard is left to the dashboard's
#: own tests while it is being rebuilt (issue 13, point 10).
MAIN_PAGES = ["/", "/risks", "/risks/AH0005", "/risks/AH0005/history", "/risks/AH0005/review",
              "/risks/AH0005/edit", "/risks/new", "/heatmap?register=AH", "/overdue",
              "/exercises", "/exercises/7", "/lessons", "/lessons/1", "/programme",
              "/plans", "/themes", "/themes/cross-reference", "/calendar", "/account",
              "/issues", "/assurance", "/indicators", "/indicators/1"]
#: Enough for the journey below; the count itself is reported (docs/web.md).
MOST_TABS = 30


def _overflowing(page: Page) -> list[str]:
    """Elements outside a table region that reach past the right edge of the window."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => !e.closest('.rk-table-region'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + String(e.className).slice(0, 40)).slice(0, 8)""")


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_every_main_page_reflows_at_320_px(signed_in, snap, path):
    page = signed_in("manager")
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    snap(page, "320px")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width} px wide at 320: {_overflowing(page)}"
    regions = page.locator(".rk-table-region")
    for i in range(regions.count()):
        region = regions.nth(i)
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label")
    # Every data table is inside a region of its own.
    assert page.locator("table.govuk-table").count() == page.locator(
        ".rk-table-region > table.govuk-table").count()
    assert_no_serious_violations(page, f"{path} at 320 px")


def test_a_table_region_shows_its_keyboard_focus(signed_in):
    page = signed_in("manager")
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto("/risks")
    region = page.locator(".rk-table-region").first
    region.focus()
    outline = region.evaluate("e => getComputedStyle(e).outlineStyle + ' '"
                              " + getComputedStyle(e).outlineColor")
    assert outline == "solid rgb(255, 221, 0)", outline
    # It scrolls sideways with the arrow keys.
    page.keyboard.press("ArrowRight")
    expect(region).not_to_have_js_property("scrollLeft", 0)


def test_heat_map_links_show_the_govuk_focus_style(signed_in):
    page = signed_in("manager")
    page.goto("/heatmap?register=AH")
    link = page.locator("a.rk-heatmap__link").first
    link.focus()
    style = link.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color,"
                          " getComputedStyle(e).boxShadow]")
    assert style[0] == "rgb(255, 221, 0)" and style[1] == "rgb(11, 12, 12)", style
    assert "rgb(11, 12, 12)" in style[2], style


def test_a_review_by_keyboard_takes_few_tab_presses(signed_in, snap, record_property):
    """From the dashboard to a saved review of AH0037 (its impact one step on) with Tab,
    typing, arrow keys and Enter only, counting every press of Tab."""
    page = signed_in("manager")
    keyboard = page.keyboard
    presses = 0

    def tab_to(selector: str) -> None:
        nonlocal presses
        for _ in range(MOST_TABS):
            keyboard.press("Tab")
            presses += 1
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        pytest.fail(f"{selector} not reached in {MOST_TABS} presses of Tab")

    tab_to("header a[href='/risks']")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    tab_to("a.govuk-skip-link")
    keyboard.press("Enter")
    tab_to("#review-reference")
    keyboard.type("AH0037")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/risks/AH0037/review$"))
    tab_to("a.govuk-skip-link[href='#review-form']")
    keyboard.press("Enter")
    tab_to("#impact")
    # Another journey may have reviewed AH0037 already: move the impact one step from
    # wherever it is.
    likelihood = int(page.locator("#likelihood").input_value())
    impact = int(page.locator("#impact").input_value())
    step = 1 if impact < 5 else -1
    keyboard.press("ArrowDown" if step == 1 else "ArrowUp")
    expect(page.locator("#impact")).to_have_value(str(impact + step))
    tab_to("#comment")
    keyboard.type("Reviewed by keyboard through the update-review box.")
    snap(page, "review-form")
    tab_to("button#submit")
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/risks/AH0037(#.*)?$"))
    expect(page.locator("#current-risk .rk-rating")).to_contain_text(
        str(likelihood * (impact + step)))
    snap(page, "risk-after")
    record_property("tab_presses", presses)
    print(f"\nA review by keyboard took {presses} presses of Tab")
    assert presses <= MOST_TABS
