"""Saving, conflicts and confirmations in a real Chromium, with axe on every page visited:
two people editing one risk at once (the second gets a merge, not a revert), the
confirmation that keeps its banner in view and focused, and the pages that confirm
closing a risk and marking an action done. Each test works on its own demo risk."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import assert_no_serious_violations

pytestmark = pytest.mark.browser

WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 320, "height": 720}


def check(page: Page, snap, step: str) -> None:
    """Screenshot and axe, at the width the page is shown at now."""
    snap(page, step)
    assert_no_serious_violations(page, step)


def assert_confirmation_in_view_and_focused(page: Page, text: str) -> None:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(text)
    expect(banner).to_be_focused()
    expect(banner).to_be_in_viewport()


def test_two_people_edit_one_risk_and_the_second_save_merges(signed_in, snap):
    """Richard opens AH0035's edit form; Risk Admin saves a new title meanwhile; Richard's
    save of a new category is a 409 whose form holds the admin's title and his category,
    with both versions side by side; saving it keeps both."""
    richard = signed_in("manager")
    richard.goto("/risks/AH0035/edit")
    old_title = richard.locator("#title").input_value()

    admin = signed_in("admin")
    admin.goto("/risks/AH0035/edit")
    admin.locator("#title").fill(old_title + " (county-wide)")
    admin.get_by_role("button", name="Save risk").click()
    assert_confirmation_in_view_and_focused(admin, "Saved AH0035: title.")

    richard.locator("#category").fill("Workforce and markets")
    richard.get_by_role("button", name="Save risk").click()
    summary = richard.locator("#conflict")
    expect(summary).to_contain_text("Someone else changed this while you were editing")
    expect(summary).to_be_focused()  # the GOV.UK error summary takes the focus
    table = richard.locator("#merge")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.get_by_role("row", name=re.compile(r"^Risk title"))).to_contain_text(
        "Theirs: only they changed it")
    expect(table.get_by_role("row", name=re.compile(r"^Category"))).to_contain_text(
        "Yours: only you changed it")
    expect(richard.locator("#title")).to_have_value(old_title + " (county-wide)")
    expect(richard.locator("#category")).to_have_value("Workforce and markets")
    check(richard, snap, "conflict-1280")
    richard.set_viewport_size(NARROW)
    check(richard, snap, "conflict-320")
    richard.set_viewport_size(WIDE)

    richard.get_by_role("button", name="Save risk").click()
    assert_confirmation_in_view_and_focused(richard, "Saved AH0035: category.")
    expect(richard.get_by_role("heading", level=1)).to_contain_text("(county-wide)")


def test_after_saving_an_action_or_control_the_confirmation_is_in_view(signed_in, snap):
    page = signed_in("manager")
    page.goto("/risks/OPS0059")
    page.get_by_role("link", name="Add an action").click()
    page.locator("#description").fill("Agree cover with the neighbouring authority")
    page.get_by_role("button", name="Save action").click()
    expect(page).to_have_url(re.compile(r"/risks/OPS0059$"))
    assert_confirmation_in_view_and_focused(page, "Action saved on OPS0059.")
    check(page, snap, "action-saved")

    page.get_by_role("link", name="Add a control").click()
    page.locator("#description").fill("Weekly rota review")
    page.get_by_role("button", name="Save control").click()
    assert_confirmation_in_view_and_focused(page, "Control saved on OPS0059.")


def test_closing_a_risk_and_marking_an_action_done_are_confirmed(signed_in, snap):
    page = signed_in("manager")
    page.goto("/risks/OPS0005")
    page.get_by_role("button", name="Close risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close OPS0005?")
    check(page, snap, "close-confirm")
    page.get_by_role("button", name="Close risk").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why the risk is being closed")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check(page, snap, "close-refused")
    page.get_by_label("Why is the risk being closed?").fill("Merged into OPS0003")
    page.get_by_role("button", name="Close risk").click()
    assert_confirmation_in_view_and_focused(page, "OPS0005 closed.")

    # A manager undoes it from the risk's page, again confirmed.
    page.get_by_role("button", name="Reopen risk").click()
    page.get_by_role("button", name="Reopen risk").click()
    assert_confirmation_in_view_and_focused(page, "OPS0005 reopened.")

    page.get_by_role("link", name="Add an action").click()
    page.locator("#description").fill("Recruit two locum AMHPs")
    page.get_by_role("button", name="Save action").click()
    page.get_by_role("button", name=re.compile(r"^Mark done")).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark this action done?")
    page.get_by_label("Completion note: what was done").fill("Both in post from 1 March")
    check(page, snap, "done-confirm")
    page.get_by_role("button", name="Mark done").click()
    assert_confirmation_in_view_and_focused(page, "Action marked done on OPS0005.")
