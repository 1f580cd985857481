"""The canvas every riskkit PDF is drawn on. It carries an outline (the bookmarks pane of
a PDF reader): the title, then the headings, each leading to the page it is on, and the
PDF opens with the pane shown. Readers show the document's title rather than its file
name, and no page names a font that is not embedded (reportlab would start each page in
Helvetica)."""

from __future__ import annotations

from reportlab.pdfgen import canvas

from riskkit.reports import fonts


class OutlinedCanvas(canvas.Canvas):
    """A canvas that can bookmark the page it is drawing as a heading of the outline."""

    def __init__(self, *args, **kwargs):
        kwargs["initialFontName"] = kwargs.get("initialFontName") or fonts.REGULAR
        super().__init__(*args, **kwargs)
        self.setViewerPreference("DisplayDocTitle", "true")
        self.outline_entries = 0
        self.outline_level = -1

    def bookmark(self, text: str, level: int) -> None:
        """`text` as an outline entry at `level` (0 for the title) for the current page.
        An outline may not skip a level, so a deeper entry is placed one below the last."""
        level = min(level, self.outline_level + 1)
        key = f"outline{self.outline_entries}"
        self.bookmarkPage(key)
        self.addOutlineEntry(" ".join(text.split()), key, level=level)
        if not self.outline_entries:
            self.showOutline()
        self.outline_entries += 1
        self.outline_level = level
