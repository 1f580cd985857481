"""Evidence packs in a real Chromium on the demo data, with axe on every page: a manager
opens the packs from the Assurance page, chooses a period for the EPRR pack (a period
ending before it starts is refused beside the field), downloads its PDF, and reads the
ISO 22301 and internal-audit packs, each also at 320 pixels wide."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_reading import _overflowing
from tests.browser.test_saving_journeys import NARROW, check

pytestmark = pytest.mark.browser


def _narrow(page, snap, step: str) -> None:
    """At 320 px the page reflows (only the tables scroll, in their own regions)."""
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{step} is {width} px wide: {_overflowing(page)}"
    check(page, snap, step)


def _period(page, start: str, end: str) -> None:
    page.get_by_label("From").fill(start)
    page.get_by_label("To", exact=True).fill(end)
    page.get_by_role("button", name="Show").click()


def test_a_manager_reads_and_downloads_the_evidence_packs(signed_in, snap):
    page = signed_in("manager")
    page.goto("/assurance")
    page.get_by_role("link", name="Evidence packs").click()
    expect(page.locator("h1")).to_have_text("Evidence packs")
    check(page, snap, "evidence-index")
    page.get_by_role("link", name="NHS EPRR training and exercising evidence").click()
    _period(page, "2023-03-31", "2021-04-01")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The period's end (01/04/2021) is before its start (31/03/2023)")
    expect(page.locator("#to-error")).to_be_visible()
    check(page, snap, "evidence-eprr-error")
    _period(page, "2021-04-01", "2023-03-31")
    expect(page.locator("#pack-period")).to_contain_text("Period 01/04/2021 to 31/03/2023")
    expect(page.locator("#table-2")).to_contain_text("KCC Resilience and Emergency Planning Service")
    check(page, snap, "evidence-eprr-1280")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename == "evidence-eprr-2021-04-01-to-2023-03-31.pdf"
    _narrow(page, snap, "evidence-eprr-320")
    for name, shown in (("iso22301", "Awaiting the partner's report"),
                        ("audit", "Controls lacking assurance")):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"/evidence/{name}?from=2021-04-01&to=2022-03-31")
        expect(page.locator("main")).to_contain_text(shown)
        check(page, snap, f"evidence-{name}-1280")
        _narrow(page, snap, f"evidence-{name}-320")
