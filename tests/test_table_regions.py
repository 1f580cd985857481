"""Every data table on a page sits in a table region (the `table_region` macro: a focusable,
labelled region that scrolls sideways), so that at 320 CSS px only the table scrolls and
never the page (WCAG 1.4.10). The browser tests measure the main pages; this reads every
template, so that a new page's table cannot be left out."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
#: Standalone documents (the papers' accessible HTML versions carry their own styles), and
#: the conflict page's merge table, whose region of its own is styled for the merge.
OWN_LAYOUT = {"papers/_tables.html", "risks/_conflict.html"}
TABLE = re.compile(r'<table class="govuk-table')
REGION_OPENS = re.compile(r"\{%-?\s*call table_region\(|class=\"rk-table-region\"")
REGION_CLOSES = re.compile(r"\{%-?\s*endcall|</div>")


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in OWN_LAYOUT and TABLE.search(path.read_text()):
            yield name


def _outside_a_region(text: str) -> list[int]:
    """The lines of the tables with no region opened before them (and not closed since)."""
    lines = []
    for table in TABLE.finditer(text):
        before = text[:table.start()]
        opened = list(REGION_OPENS.finditer(before))
        if not opened or REGION_CLOSES.search(before, opened[-1].end()):
            lines.append(before.count("\n") + 1)
    return lines


@pytest.mark.parametrize("name", list(_templates()))
def test_every_data_table_is_in_a_table_region(name):
    assert _outside_a_region((TEMPLATES / name).read_text()) == [], (
        f"templates/{name}: wrap each table in {{% call table_region(label) %}}")


def test_the_check_finds_a_bare_table():
    assert _outside_a_region('<p>x</p>\n<table class="govuk-table">') == [2]
    assert _outside_a_region('{% call table_region("A") %}<table class="govuk-table"></table>{% endcall %}'
                             '\n<table class="govuk-table">') == [2]
