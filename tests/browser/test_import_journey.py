"""Importing a spreadsheet in the browser: upload, preview, change one column, confirm,
with axe on each step."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import assert_no_serious_violations
from tests.import_helpers import workbook

pytestmark = pytest.mark.browser


def test_upload_preview_change_a_column_and_confirm(signed_in, snap, tmp_path):
    file = workbook(tmp_path / "hazards.xlsx", {"Hazards": [
        ["Ref", "Hazard", "Risk Owner", "Likelihood", "Impact", "Existing Controls"],
        ["HAZ-1", "Lift failure in the civic centre", "Richard Smith", 2, 3, "Service contract"],
        ["HAZ-2", "Loss of the telephone system", "Richard Smith", "Likely", "Serious",
         "• Mobile phones\n• Second supplier"]]})
    page = signed_in("manager")
    page.goto("/import")
    assert_no_serious_violations(page, "import upload")
    snap(page, "upload")
    page.locator("#file").set_input_files(str(file))
    page.locator("#register").fill("HAZ")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text("no column is the title")
    assert_no_serious_violations(page, "import preview with a problem")
    snap(page, "preview-problem")
    page.get_by_label("Hazard", exact=True).select_option("title")
    page.get_by_role("button", name="Check again").click()

    expect(page.locator("#summary")).to_contain_text("Into register HAZ: 2 created, 0 updated")
    expect(page.locator("#rows")).to_contain_text("HAZ-2")
    assert_no_serious_violations(page, "import preview")
    snap(page, "preview")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.locator("body")).to_contain_text("Imported hazards.xlsx into HAZ: 2 created")
    assert_no_serious_violations(page, "register after import")
    snap(page, "imported")
    page.goto("/risks/HAZ-2")
    expect(page.locator("body")).to_contain_text("Second supplier")
