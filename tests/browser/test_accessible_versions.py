"""The accessible HTML version of each committee document, as a person gets it: the
"Accessible version (HTML)" link beside each PDF or workbook link downloads it, and
Chromium opens the file on its own. axe-core finds no violation of WCAG 2.0, 2.1 or 2.2
at level A or AA, and the page works at 320 CSS px (only tables scroll, each in a region
the keyboard can reach)."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: (page, the link to the document, what the download is called)
DOCUMENTS = [
    ("/risks?register=AH", "#download-appendix-html", "register-appendix-AH-"),
    ("/", "Accessible version (HTML) of the heat map for Adult Social Care and Health", "heatmap-AH-"),
    ("/exercises/7", "#report-html-link", "exercise-report-exercise-lemur"),
    ("/exercises/7", "#improvement-plan-html-link", "improvement-plan-exercise-lemur-"),
    ("/lessons", "#improvement-plan-html-link", "improvement-plan-all-"),
]


def wcag_violations(page: Page) -> list[str]:
    """Every violation axe finds at WCAG 2.2 AA, whatever its impact."""
    response = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}).response
    return [f"{v['id']} ({v['impact']}): {v['help']}: " + ", ".join(str(n["target"]) for n in v["nodes"])
            for v in response["violations"]]


def _open_download(page: Page, link, tmp_path: Path) -> tuple[Path, str]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target, download.suggested_filename


@pytest.mark.parametrize("start, link, name", DOCUMENTS, ids=[d[2].rstrip("-") for d in DOCUMENTS])
def test_each_accessible_version_passes_axe(signed_in, snap, tmp_path, start, link, name):
    page = signed_in("viewer")
    page.goto(start)
    locator = page.locator(link) if link.startswith("#") else page.get_by_role("link", name=link, exact=True)
    expect(locator).to_contain_text("Accessible version (HTML)")
    path, suggested = _open_download(page, locator, tmp_path)
    assert suggested.startswith(name) and suggested.endswith(".html")

    document = page.context.new_page()
    document.goto(path.as_uri())
    expect(document.locator("html")).to_have_attribute("lang", "en-GB")
    expect(document.get_by_role("heading", level=1)).to_have_count(1)
    snap(document, "document")
    assert wcag_violations(document) == []

    document.set_viewport_size({"width": 320, "height": 900})
    width = document.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{suggested} is {width} px wide at 320"
    snap(document, "320px")
    assert wcag_violations(document) == []


def test_the_appendix_of_every_register_passes_axe(signed_in, tmp_path):
    """Several registers in one file: each heat map, key and table keeps a name of its own."""
    page = signed_in("viewer")
    page.goto("/risks")
    path, _ = _open_download(page, page.locator("#download-appendix-html"), tmp_path)
    document = page.context.new_page()
    document.goto(path.as_uri())
    expect(document.get_by_role("heading", level=2, name="Risk Register – Corporate Risk Register")).to_be_visible()
    assert wcag_violations(document) == []
