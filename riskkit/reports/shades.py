"""The colours printed documents paint rating bands in: each band's own hue, made lighter
or darker so that, printed in greyscale, every band has a lightness of its own and the
more severe band is always the darker. (The council's green is darker than its red, so a
greyscale print of the matrix colours reads upside down.) The band name is printed too,
so colour is never the only sign of a rating.

Lightness here is the luma a greyscale conversion keeps (ITU-R BT.601, as printers and
Pillow's convert("L") use): 0 black to 255 white.
"""

from __future__ import annotations

from collections.abc import Sequence

from riskkit.scoring import Band

#: The luma of the least and the most severe band: pale enough to read dark text on,
#: dark enough to read white text on, and as far apart as that allows.
LIGHTEST, DARKEST = 215.0, 70.0


def luma(colour: str) -> float:
    """How light "#rrggbb" prints in greyscale, 0 to 255."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def band_shades(bands: Sequence[Band], lightest: float = LIGHTEST, darkest: float = DARKEST) -> dict[str, str]:
    """Each band's name -> its print colour. `bands` (anything with a name and a colour)
    come least severe first, as a matrix holds them; their luma steps evenly from
    `lightest` to `darkest` (a chart's background bands are paler than a heat map's
    cells, so a line and words drawn over them stay readable). A matrix of one band
    keeps its colour."""
    if len(bands) < 2:
        return {band.name: band.colour for band in bands}
    step = (lightest - darkest) / (len(bands) - 1)
    return {band.name: _with_luma(band.colour, lightest - rank * step) for rank, band in enumerate(bands)}


def _with_luma(colour: str, target: float) -> str:
    """`colour` mixed with white to make it lighter, or with black to make it darker,
    until its luma is `target` (luma is linear in the mix, so no search is needed)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    now = luma(colour)
    if target >= now:
        toward, part = 255, (target - now) / (255 - now)
    else:
        toward, part = 0, 1 - target / now
    return "#" + "".join(f"{round(channel + (toward - channel) * part):02x}" for channel in rgb)
