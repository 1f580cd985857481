"""Downloads from the pages, as a person clicks them: the heat map and committee
appendix PDFs, the Excel workbook and the overdue CSV."""

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def _download(page, click, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_heat_map_and_appendix_pdfs(signed_in, tmp_path):
    page = signed_in("viewer")
    heat_map = _download(page, lambda: page.get_by_role(
        "link", name="Download heat map (PDF) for Adult Social Care and Health", exact=True).click(), tmp_path)
    assert heat_map.read_bytes().startswith(b"%PDF")
    text = _pdf_text(heat_map)
    assert "AH0005" in text and "AH0038" in text

    page.goto("/risks?register=AH")
    appendix = _download(page, lambda: page.locator("#download-appendix").click(), tmp_path)
    assert appendix.name.startswith("register-appendix-AH")
    text = _pdf_text(appendix)
    assert "Green 0 Amber 4 Red 2 Total 6" in " ".join(text.split())
    assert "High 20 Serious (4) Very Likely (5)" in " ".join(text.split())


def test_excel_and_overdue_csv(signed_in, tmp_path):
    page = signed_in("viewer")
    page.goto("/risks?register=AH")
    workbook = _download(page, lambda: page.locator("#download-excel").click(), tmp_path)
    assert workbook.suffix == ".xlsx" and workbook.read_bytes().startswith(b"PK")

    page.goto("/overdue?as_of=2021-09-29")
    csv_file = _download(page, lambda: page.get_by_role("link", name="Download CSV").click(), tmp_path)
    lines = csv_file.read_text().strip().splitlines()
    assert lines[0] == "kind,reference,title,action,owner,register,due_date,days_overdue"
    assert len(lines) == 6
