"""Reading an accessible HTML document back as its reader gets it (language, title,
headings, tables with their captions and header cells, the words), and comparing its
words with the PDF made from the same data, so that the two cannot drift apart."""

import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: The PDF's page furniture, which an HTML file has no pages for: the footer line ("Page 2
#: of 9", the marking, "Generated on 01/10/2021"); "L0012 continued" where a record runs
#: on to the next page; and "+3 more" where a heat map cell has no room for every reference.
FOOTER = re.compile(r"Page \d+ of \d+|Generated (on )?(\d\d/\d\d/\d{4}|\d+ \w+ \d{4})")
RUNNING_ON = re.compile(r"\S+\s+continued|\+\d+ more")
PUNCTUATION = ".,;:()'\"·"


@dataclass
class Cell:
    tag: str  # th or td
    scope: str | None
    text: str
    attrs: dict


@dataclass
class Table:
    caption: str = ""
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def column_headers(self) -> list[str]:
        return [c.text for row in self.rows for c in row if c.tag == "th" and c.scope == "col"]


class Document(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.title = ""
        self.headings: list[tuple[int, str]] = []
        self.tables: list[Table] = []
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []  # tag, name, value
        self._text: list[str] = []
        self._in: list[str] = []
        self._cell: Cell | None = None
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs.items()]
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in HEADINGS:
            self.headings.append((int(tag[1]), ""))
        if tag == "table":
            self.tables.append(Table())
        if tag == "tr":
            self.tables[-1].rows.append([])
        if tag in ("th", "td"):
            self._cell = Cell(tag, attrs.get("scope"), "", attrs)
            self.tables[-1].rows[-1].append(self._cell)
        if tag == "br":
            self._data(" ")
        if tag not in ("br", "meta", "input", "img"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        while self._in:
            if self._in.pop() == tag:
                break
        if tag in ("th", "td"):
            self._cell = None

    def handle_data(self, data):
        self._data(data)

    def _data(self, data: str) -> None:
        if "title" in self._in:
            self.title += data
            return
        if "style" in self._in or "script" in self._in:
            return
        self._text.append(data)
        if any(tag in HEADINGS for tag in self._in):
            level, text = self.headings[-1]
            self.headings[-1] = (level, " ".join((text + data).split()) if data.strip() else text + data)
        if "caption" in self._in:
            self.tables[-1].caption = " ".join((self.tables[-1].caption + data).split())
        if self._cell is not None:
            self._cell.text = " ".join((self._cell.text + " " + data).split())


def read(data: bytes) -> Document:
    return Document(data.decode("utf-8"))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def words(text: str) -> Counter[str]:
    """The words of a text, each with the number of times it occurs."""
    counted = Counter(word.strip(PUNCTUATION).lower() for word in text.split())
    for mark in ("", "-", "–"):
        del counted[mark]
    return counted


def pdf_words(text: str) -> Counter[str]:
    """The words of a PDF's text without its page furniture: footers, each later page's
    running header (its first line), and a table's header row repeated at its top."""
    seen: set[str] = set()
    kept: list[str] = []
    for number, page in enumerate(text.split("\f")):
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip() and not FOOTER.search(line)]
        if number:
            lines = lines[1:]
            if lines and lines[0] in seen:
                lines = lines[1:]
        seen.update(lines)
        kept += lines
    return words(RUNNING_ON.sub(" ", "\n".join(kept)))


def missing_from_html(pdf: Path, html: Document) -> Counter[str]:
    """Words the PDF prints more often than the HTML version says them: nothing, when the
    HTML says everything the PDF says."""
    return pdf_words(pdf_text(pdf)) - words(html.text)


def assert_accessible_structure(document: Document, title: str) -> None:
    """What every accessible version has: language, a title, one h1 and headings that
    never skip a level, no scripts or anything loaded from elsewhere, and tables with a
    caption and header cells."""
    assert document.lang == "en-GB"
    assert document.title.startswith(title)
    assert [level for level, _ in document.headings].count(1) == 1
    assert document.headings[0] == (1, title)
    levels = [level for level, _ in document.headings]
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False)), levels
    assert not {"script", "link", "img", "iframe", "object"} & document.tags
    assert not [a for a in document.attributes if a[1] in ("src", "href") or a[2].startswith("http")]
    assert document.tables
    for table in document.tables:
        assert table.caption, table
        headers = [cell for row in table.rows for cell in row if cell.tag == "th"]
        assert headers and all(cell.scope in ("col", "row") for cell in headers), table.caption
