"""The typeface of every PDF and PNG riskkit makes: DejaVu Sans and DejaVu Sans Bold,
shipped in riskkit/fonts with their licence and embedded (only the characters used) in
each PDF, so Welsh ŵ and ŷ, Polish and Romanian names, the Euro sign and dashes print
whatever the reader's computer has. The PNGs are drawn from the PDFs, so they match.

A character the font has no glyph for (most emoji) prints as the replacement character
U+FFFD, a diamond with a question mark, rather than an empty box; invisible joiners,
variation selectors and skin-tone modifiers it lacks are dropped.

The fonts are registered with reportlab when this module is first imported, so that
anything that names them (a paragraph style, a drawing's string) finds them.
"""

from __future__ import annotations

import unicodedata

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from riskkit import resources

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
REPLACEMENT = "\ufffd"
#: Characters that show nothing themselves: dropped rather than replaced when missing.
_INVISIBLE = {"Mn", "Me", "Cf", "Sk"}


class _Substitutes(dict):
    """A str.translate table filled in as characters are first met: a character the
    font has maps to itself, one it lacks to the replacement character (or nothing)."""

    def __init__(self, glyphs: dict[int, int]):
        super().__init__()
        self.glyphs = glyphs

    def __missing__(self, code: int) -> str:
        if code in self.glyphs:
            value = chr(code)
        elif unicodedata.category(chr(code)) in _INVISIBLE:
            value = ""
        else:
            value = REPLACEMENT
        self[code] = value
        return value


class _Font(TTFont):
    """A TrueType font that draws a missing character as U+FFFD and measures it as wide,
    so line breaking and drawing agree and no empty box is printed. (Measuring goes
    through reportlab's C accelerator untouched: a missing character is measured at the
    font's default width, set to U+FFFD's, rather than substituted first.)"""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self.substitutes = _Substitutes(self.face.charToGlyph)
        self.face.defaultWidth = self.face.charWidths[ord(REPLACEMENT)]

    def printable(self, text: str | bytes) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return text if text.isascii() else text.translate(self.substitutes)

    def splitString(self, text, doc, encoding="utf-8"):  # noqa: N802 (reportlab's name)
        return super().splitString(self.printable(text), doc, encoding)


def _register() -> None:
    folder = resources.folder("fonts")
    for name, file in FILES.items():
        pdfmetrics.registerFont(_Font(name, str(folder / file)))
    # Paragraph markup: <b> is the bold face; there is no oblique face, so <i> stays upright.
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)


_register()
