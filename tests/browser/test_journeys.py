"""Journeys through the register pages in a real Chromium, one signed-in user each.

Each test signs in afresh in its own browser context and works on its own risk, so the
tests do not depend on each other's order. Full-page screenshots of every page visited
go to $RISKKIT_SCREENSHOTS, or test-artifacts/screenshots/ at the root of the checkout
(see conftest.py).
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

MAX_TABS = 80


# --- helpers ---------------------------------------------------------------------------


def controls_table(page: Page):
    """The controls table (in its scrolling region, after the "Controls (n)" heading)."""
    return page.locator("#controls-table")


def history_items(page: Page) -> list[str]:
    """The change history, one text per save: "6 Dec 2026 09:12, Jane Smith: Changed the
    risk" and its lines ("Likelihood changed from 3 Possible to 4 Likely")."""
    return page.locator("#history .rk-changes__item").evaluate_all(
        "items => items.map(i => i.textContent.replace(/\\s+/g, ' ').trim())")


def tab_to(page: Page, selector: str, limit: int = MAX_TABS) -> None:
    """Press Tab until the focused element matches selector (it must be reachable)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """sel => { const e = document.activeElement;
                        return {match: !!e && e.matches(sel),
                                what: e ? (e.id || e.tagName + ' ' + (e.innerText || '').trim()
                                           .slice(0, 30)) : null}; }""",
            selector)
        if focused["match"]:
            return
        seen.append(focused["what"])
    pytest.fail(f"{selector} not reached in {limit} presses of Tab; focus went: {seen}")


def assert_no_serious_violations(page: Page, name: str) -> None:
    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(f"{n['target']}: {n.get('failureSummary', '')}".replace("\n", " ")
                        for n in v["nodes"])
        for v in bad)
    assert not bad, f"axe on {name} ({page.url}):\n{report}"


# --- journeys --------------------------------------------------------------------------


def test_manager_records_a_review_raising_the_likelihood(signed_in, snap):
    page = signed_in("manager")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    snap(page, "dashboard")

    page.get_by_role("navigation").get_by_role("link", name="Register", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    snap(page, "register")
    page.locator("table.rk-register").get_by_role("link", name="AH0038", exact=True).click()
    expect(page).to_have_url(re.compile(r"/risks/AH0038$"))
    expect(page.locator("#current-risk .rk-rating")).to_have_text("Medium 12")
    snap(page, "risk-before")

    page.get_by_role("link", name="Record a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    expect(page.locator("#likelihood")).to_have_value("3")
    expect(page.locator("#impact")).to_have_value("4")
    page.locator("#likelihood").select_option(label="4 – Likely")
    comment = "Reviewed at DMT: likelihood raised while the records move to the new system."
    page.locator("#comment").fill(comment)
    snap(page, "review-form")
    page.get_by_role("button", name="Record review").click()

    expect(page).to_have_url(re.compile(r"/risks/AH0038(#.*)?$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Review of AH0038 recorded: now High 16")
    expect(page.locator("#current-risk .rk-rating")).to_have_text("High 16")
    expect(page.locator("#previous-risk .rk-rating")).to_have_text("Medium 12")
    expect(page.locator("#trend")).to_contain_text("Increased")
    newest = page.locator("#review-timeline li").first
    expect(newest).to_contain_text(comment)
    expect(newest).to_contain_text("Richard Smith: score Medium 12 → High 16")
    snap(page, "risk-after")

    mine = [item for item in history_items(page) if "Richard Smith:" in item]
    assert any("Likelihood changed from 3 Possible to 4 Likely" in item for item in mine), (
        f"no history entry by Richard Smith changing likelihood 3 -> 4; his entries: {mine}")


def test_review_with_the_keyboard_alone(signed_in, snap):
    """AH0037 is Medium 12 (likelihood 4, impact Significant 3): raise impact to Serious
    (4), High 16, using only Tab, typing, arrow keys and Enter."""
    page = signed_in("manager")
    keyboard = page.keyboard

    tab_to(page, "header a[href='/risks']")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    tab_to(page, "table.rk-register a[href='/risks/AH0037']")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/risks/AH0037$"))
    expect(page.locator("#current-risk .rk-rating")).to_have_text("Medium 12")
    snap(page, "risk-before")

    tab_to(page, "#record-review")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    tab_to(page, "#impact")
    expect(page.locator("#impact")).to_have_value("3")
    keyboard.press("ArrowDown")
    expect(page.locator("#impact")).to_have_value("4")
    expect(page.locator("#likelihood")).to_have_value("4")
    tab_to(page, "#comment")
    comment = "Reviewed by keyboard: impact raised to Serious."
    keyboard.type(comment)
    snap(page, "review-form")
    tab_to(page, "button#submit")
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/risks/AH0037(#.*)?$"))
    expect(page.locator("#current-risk .rk-rating")).to_have_text("High 16")
    expect(page.locator("#previous-risk .rk-rating")).to_have_text("Medium 12")
    expect(page.locator("#trend")).to_contain_text("Increased")
    expect(page.locator("#review-timeline li").first).to_contain_text(comment)
    snap(page, "risk-after")


def test_owner_edits_a_control_on_their_own_risk_but_not_on_anothers(signed_in, snap):
    # A control on AH0005, which Chris McKenzie does not own, found as a manager sees it.
    manager = signed_in("manager")
    manager.goto("/risks/AH0005")
    foreign = controls_table(manager).get_by_role("link", name=re.compile(r"^Edit")).first
    foreign_url = foreign.get_attribute("href")
    assert foreign_url and re.fullmatch(r"/risks/AH0005/controls/\d+", foreign_url)

    page = signed_in("owner")
    page.goto("/risks/AH0033")
    snap(page, "risk-before")
    first_row = controls_table(page).locator("tbody tr").first
    before = first_row.locator("td").nth(2).inner_text().strip()
    after = "Effective" if before != "Effective" else "Partly effective"
    first_row.get_by_role("link", name=re.compile(r"^Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Edit\s+control"))
    page.get_by_role("radio", name=after, exact=True).check()
    snap(page, "control-form")
    page.get_by_role("button", name="Save control").click()

    expect(page).to_have_url(re.compile(r"/risks/AH0033(#controls)?$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Control saved on AH0033")
    expect(controls_table(page).locator("tbody tr").first.locator("td").nth(2)).to_have_text(
        after)
    snap(page, "risk-after")
    assert any("Chris McKenzie: Changed control" in item and "Effectiveness changed" in item
               for item in history_items(page)), "no history entry for the owner's change"

    response = page.goto(foreign_url)
    assert response is not None and response.status == 403, (
        f"{foreign_url} gave {response and response.status}, not 403")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do that")
    snap(page, "forbidden")


def test_viewer_sees_no_buttons_that_change_things(signed_in, snap):
    page = signed_in("viewer")
    page.goto("/risks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    snap(page, "register")
    expect(page.get_by_role("link", name="Add a risk")).to_have_count(0)
    expect(page.get_by_role("button", name="Add a risk")).to_have_count(0)

    page.get_by_role("link", name="AH0038", exact=True).click()
    expect(page).to_have_url(re.compile(r"/risks/AH0038$"))
    expect(controls_table(page).locator("tbody tr").first).to_be_visible()
    snap(page, "risk")
    for name in ("Record a review", "Edit risk", "Add a risk", "Add a control",
                 "Add an action"):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(controls_table(page).get_by_role("link", name=re.compile(r"^Edit"))).to_have_count(0)
    expect(page.locator("main").get_by_role("button")).to_have_count(0)


@pytest.mark.parametrize("name, path", [
    pytest.param("dashboard", "/", id="dashboard"),
    pytest.param("register", "/risks", id="register"),
    pytest.param("risk", "/risks/AH0038", id="risk"),
    pytest.param("review-form", "/risks/AH0038/review", id="review-form"),
    pytest.param("exercises", "/exercises", id="exercises"),
    pytest.param("exercise", "/exercises/7", id="exercise"),  # Exercise Lemur in the demo
    pytest.param("incident-form", "/incidents/new", id="incident-form"),
    pytest.param("lessons", "/lessons", id="lessons"),
    pytest.param("programme", "/programme", id="programme"),
    pytest.param("cross-reference", "/themes/cross-reference", id="cross-reference"),
    pytest.param("plans", "/plans", id="plans"),
    pytest.param("not-testable", "/categories/not-testable", id="not-testable"),
    pytest.param("testability-form", "/risks/AH0005/testability", id="testability-form"),
    pytest.param("delivery", "/actions/delivery?from=2021-01-01&to=2021-12-31", id="delivery"),
    pytest.param("document-log", "/published/log", id="document-log"),
])
def test_axe_finds_no_serious_violations(signed_in, snap, name, path):
    page = signed_in("manager")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    snap(page, name)
    assert_no_serious_violations(page, name)


def test_print_hides_the_record_a_review_button(signed_in, snap):
    page = signed_in("manager")
    page.goto("/risks/AH0038")
    button = page.get_by_role("link", name="Record a review")
    expect(button).to_be_visible()
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
    expect(page.locator("#current-risk")).to_be_visible()
    snap(page, "risk-print")
