"""Control assurance and objectives in a real Chromium, with axe on every page visited:
a manager records internal audit's opinion on an AH0038 control from the risk page, sees
it there and on the DMT's Assurance page, and reads an objective's page."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_saving_journeys import NARROW, check

pytestmark = pytest.mark.browser


def test_a_manager_records_an_audit_opinion_on_a_control(signed_in, snap):
    page = signed_in("manager")
    page.goto("/risks/AH0038")
    page.get_by_role("link", name="Record assurance on control 1").click()
    check(page, snap, "assurance-form")
    page.get_by_label("3rd line: internal audit or external").check()
    page.get_by_label("Audit report").check()
    page.locator("#reference").fill("IA 2021/22-03 GDPR follow-up")
    page.locator("#assured_on-day").fill("20")
    page.locator("#assured_on-month").fill("9")
    page.locator("#assured_on-year").fill("2021")
    # No opinion chosen: the form says so beside the field, and nothing is saved.
    page.get_by_role("button", name="Save assurance").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Opinion must be one of")
    check(page, snap, "assurance-form-error")
    page.get_by_label("Reasonable").check()
    page.get_by_role("button", name="Save assurance").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Assurance saved on a control of AH0038.")
    cell = page.locator(".rk-assurance").first
    expect(cell).to_contain_text("Reasonable: 3rd line: internal audit or external, audit report"
                                 " IA 2021/22-03 GDPR follow-up, 20/09/2021")
    check(page, snap, "assurance-risk-page")
    page.get_by_role("link", name="Assurance", exact=True).click()
    expect(page.locator("h1")).to_have_text("Controls lacking assurance")
    check(page, snap, "assurance-dmt-1280")
    page.set_viewport_size(NARROW)
    check(page, snap, "assurance-dmt-320")


def test_an_objective_page_lists_its_risks_and_heat_map(signed_in, snap):
    page = signed_in("viewer")
    page.goto("/objectives")
    page.get_by_role("link", name="Keep people safe and well at home").click()
    expect(page.locator("h1")).to_have_text("Keep people safe and well at home")
    expect(page.locator("#objective-risks")).to_contain_text("AH0005")
    check(page, snap, "objective-1280")
    page.set_viewport_size(NARROW)
    check(page, snap, "objective-320")


def test_a_manager_uploads_internal_audits_workbook(signed_in, snap, tmp_path):
    from tests.import_helpers import workbook

    columns = ["Risk", "Control", "Date", "Opinion"]
    bad = workbook(tmp_path / "audit.xlsx", {"Opinions": [columns, ["AH0038", "1", "20/09/2021", "Adequate"]]})
    page = signed_in("manager")
    page.goto("/assurance")
    page.get_by_role("link", name="Upload internal audit's opinions from a workbook").click()
    check(page, snap, "assurance-upload")
    page.locator("#file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Row 2, column Control")
    check(page, snap, "assurance-upload-error")
    page.set_viewport_size(NARROW)
    check(page, snap, "assurance-upload-error-320")
