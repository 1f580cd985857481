"""Scoring matrices and the pure functions built on them: score, rating, trend,
next review date and the printed form of a rating.

A matrix is configuration (a data file or a database row), never code. It is
parsed once into a frozen `Matrix`; everything else takes that and plain ints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from riskkit.errors import ValidationError

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Band:
    """A rating band such as High: its colour, and how often its risks are reviewed."""

    name: str
    colour: str  # "#d4351c"
    colour_name: str  # "Red": the word used in RAG summaries, so colour is never alone
    review_months: int
    min_score: int | None = None  # score range; unused when the matrix has a grid
    max_score: int | None = None

    def covers(self, value: int) -> bool:
        return (
            self.min_score is not None
            and self.max_score is not None
            and self.min_score <= value <= self.max_score
        )


@dataclass(frozen=True)
class Matrix:
    """N likelihood labels by M impact labels, with bands lowest first.

    `grid[l-1][i-1]` names the band of a cell when the organisation rates cells
    individually (ISO 27005 style); otherwise the band is found from the score.
    """

    slug: str
    name: str
    likelihood: tuple[str, ...]
    impact: tuple[str, ...]
    bands: tuple[Band, ...]
    grid: tuple[tuple[str, ...], ...] | None = None

    def band(self, name: str) -> Band:
        for band in self.bands:
            if band.name == name:
                return band
        raise ValidationError(f"Matrix {self.slug} has no band called {name!r}", field="band")

    @property
    def top_band(self) -> Band:
        return self.bands[-1]

    def reachable_scores(self) -> list[int]:
        return sorted({lk * im for lk in self.levels("likelihood") for im in self.levels("impact")})

    def levels(self, axis: str) -> range:
        labels = self.likelihood if axis == "likelihood" else self.impact
        return range(1, len(labels) + 1)

    def to_dict(self) -> dict:
        """riskkit's own file format: parse_matrix(m.to_dict()) == m."""
        data = {
            "slug": self.slug, "name": self.name,
            "likelihood": list(self.likelihood), "impact": list(self.impact),
            "bands": [{
                "name": b.name, "colour": b.colour, "colour_name": b.colour_name,
                "min": b.min_score, "max": b.max_score, "review_months": b.review_months,
            } for b in self.bands],
        }
        if self.grid:
            data["grid"] = [list(row) for row in self.grid]
        return data


def score(likelihood: int, impact: int) -> int:
    """The score used for sorting and printing: likelihood x impact."""
    return likelihood * impact


def check_scores(matrix: Matrix, likelihood: int, impact: int, what: str = "") -> None:
    """Refuse a likelihood or impact that the matrix has no label for."""
    prefix = f"{what} " if what else ""
    for axis, value, labels in (
        ("likelihood", likelihood, matrix.likelihood),
        ("impact", impact, matrix.impact),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= len(labels):
            field = f"{what.replace(' ', '_')}_{axis}" if what else axis
            raise ValidationError(
                f"{prefix}{axis} must be a whole number from 1 to {len(labels)}"
                f" on the {matrix.name} matrix, not {value!r}".capitalize(),
                field=field,
            )


def rating(matrix: Matrix, likelihood: int, impact: int) -> Band:
    """The band a cell falls in: from the grid if the matrix has one, else from the score."""
    check_scores(matrix, likelihood, impact)
    if matrix.grid:
        return matrix.band(matrix.grid[likelihood - 1][impact - 1])
    value = score(likelihood, impact)
    for band in matrix.bands:
        if band.covers(value):
            return band
    raise AssertionError(f"validated matrix {matrix.slug} has no band for {value}")


def band_rank(matrix: Matrix, band: Band) -> int:
    """0 for the lowest band: lets ratings be compared when grids break score order."""
    return [b.name for b in matrix.bands].index(band.name)


def trend(previous: int | None, current: int) -> str:
    """'up', 'down' or 'unchanged' against the score before the latest review; 'new' if none."""
    if previous is None:
        return "new"
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "unchanged"


TREND_WORDS = {"up": "Increased", "down": "Decreased", "unchanged": "No change", "new": "New"}
TREND_ARROWS = {"up": "↑", "down": "↓", "unchanged": "→", "new": "•"}


def next_review_date(matrix: Matrix, likelihood: int, impact: int, as_of: date) -> date:
    """When a risk reviewed on `as_of` is next due, from its band's review interval. A
    review date so far ahead that the next one would pass the calendar's end is refused."""
    months = rating(matrix, likelihood, impact).review_months
    try:
        return as_of + relativedelta(months=months)
    except (ValueError, OverflowError):
        raise ValidationError(f"A review on {as_of:%d/%m/%Y} cannot be followed by another"
                              f" {months} months later", field="reviewed_on") from None


def describe(matrix: Matrix, likelihood: int, impact: int) -> str:
    """The papers' form: 'High 20 Serious (4) Very Likely (5)' (impact before likelihood)."""
    band = rating(matrix, likelihood, impact)
    return f"{band.name} {score(likelihood, impact)} {describe_levels(matrix, likelihood, impact)}"


def describe_levels(matrix: Matrix, likelihood: int, impact: int) -> str:
    """'Serious (4) Very Likely (5)': the levels behind a rating, without the rating, for
    pages that show the rating itself beside them."""
    return (f"{matrix.impact[impact - 1]} ({impact})"
            f" {matrix.likelihood[likelihood - 1]} ({likelihood})")


def bands_by_severity(matrices: list[Matrix]) -> list[str]:
    """The band names of several matrices, least severe first, each once: bands are placed
    by their position within their own matrix (a top band is last whatever its name), so
    a list mixing the council's Low-High with the NHS's Low-Extreme still reads upwards."""
    placed: dict[str, float] = {}
    for matrix in matrices:
        top = max(len(matrix.bands) - 1, 1)
        for rank, band in enumerate(matrix.bands):
            placed.setdefault(band.name, rank / top)
    return sorted(placed, key=lambda name: placed[name])


def rag_summary(matrix: Matrix, band_names: list[str]) -> list[tuple[Band, int]]:
    """Count of risks per band, lowest band first, every band listed even at 0."""
    return [(band, band_names.count(band.name)) for band in matrix.bands]


DARK_TEXT, LIGHT_TEXT = "#0b0c0c", "#ffffff"


def text_colour(colour: str) -> str:
    """Dark or white text, whichever has the higher WCAG contrast on a band colour:
    pages, heat maps and the appendix all print band names on band colours."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return DARK_TEXT if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else LIGHT_TEXT


def format_rag_summary(counts: list[tuple[Band, int]]) -> str:
    """'Green 0 Amber 4 Red 2 Total 6', as the committee papers print it."""
    parts = [f"{band.colour_name} {count}" for band, count in counts]
    return " ".join(parts + [f"Total {sum(count for _, count in counts)}"])


# --- reading matrices from data -------------------------------------------------


def parse_matrix(data: dict) -> Matrix:
    """Build and validate a Matrix from riskkit's own format (see docs/matrices.md)."""
    if not isinstance(data, dict):
        raise ValidationError("A matrix must be a mapping with slug, name, likelihood, impact, bands")
    for key in ("slug", "name", "likelihood", "impact", "bands"):
        if key not in data:
            raise ValidationError(f"Matrix is missing {key!r}", field=key)
    slug = str(data["slug"]).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise ValidationError(
            f"Matrix slug {slug!r} must be lower-case letters, digits and hyphens", field="slug"
        )
    likelihood = _labels(data["likelihood"], "likelihood")
    impact = _labels(data["impact"], "impact")
    bands = tuple(_band(raw, n) for n, raw in enumerate(_list(data["bands"], "bands"), 1))
    names = [b.name for b in bands]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError(f"Band names must be unique: {', '.join(duplicates)}", field="bands")
    grid = _grid(data.get("grid"), likelihood, impact, names)
    matrix = Matrix(slug, str(data["name"]).strip(), likelihood, impact, bands, grid)
    if grid is None:
        _check_band_cover(matrix)
    return matrix


def _list(value, field: str) -> list:
    if not isinstance(value, list) or not value:
        raise ValidationError(f"Matrix {field} must be a non-empty list", field=field)
    return value


def _labels(value, field: str) -> tuple[str, ...]:
    labels = tuple(str(v).strip() for v in _list(value, field))
    if not 2 <= len(labels) <= 10 or not all(labels):
        raise ValidationError(f"Matrix {field} needs 2 to 10 non-empty labels", field=field)
    return labels


def _band(raw, n: int) -> Band:
    if not isinstance(raw, dict):
        raise ValidationError(f"Band {n} must be a mapping", field="bands")
    name = str(raw.get("name", "")).strip()
    if not name:
        raise ValidationError(f"Band {n} has no name", field="bands")
    colour = str(raw.get("colour", "")).strip()
    if not HEX_COLOUR.match(colour):
        raise ValidationError(f"Band {name}: colour must be like #d4351c, not {colour!r}", "bands")
    months = raw.get("review_months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 60:
        raise ValidationError(
            f"Band {name}: review_months must be a whole number of months from 1 to 60,"
            f" not {months!r}",
            field="bands",
        )
    low, high = raw.get("min"), raw.get("max")
    for value in (low, high):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValidationError(f"Band {name}: min and max must be whole numbers", "bands")
    if low is not None and high is not None and low > high:
        raise ValidationError(f"Band {name}: min {low} is above max {high}", field="bands")
    colour_name = str(raw.get("colour_name") or name).strip()
    return Band(name, colour.lower(), colour_name, months, low, high)


def _grid(raw, likelihood, impact, names) -> tuple[tuple[str, ...], ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != len(likelihood):
        raise ValidationError(
            f"Matrix grid must have one row per likelihood level ({len(likelihood)})", field="grid"
        )
    rows = []
    for lk, row in enumerate(raw, 1):
        if not isinstance(row, list) or len(row) != len(impact):
            raise ValidationError(
                f"Grid row for likelihood {lk} must give a band for each of the"
                f" {len(impact)} impact levels",
                field="grid",
            )
        for im, cell in enumerate(row, 1):
            if cell not in names:
                raise ValidationError(
                    f"Grid cell likelihood {lk} x impact {im} names unknown band {cell!r}",
                    field="grid",
                )
        rows.append(tuple(row))
    return tuple(rows)


def _check_band_cover(matrix: Matrix) -> None:
    """Every reachable score must fall in exactly one band."""
    gaps, overlaps = [], []
    for value in matrix.reachable_scores():
        owners = [b.name for b in matrix.bands if b.covers(value)]
        if not owners:
            gaps.append(str(value))
        elif len(owners) > 1:
            overlaps.append(f"{value} ({' and '.join(owners)})")
    problems = []
    if gaps:
        problems.append(f"scores in no band: {', '.join(gaps)}")
    if overlaps:
        problems.append(f"scores in more than one band: {', '.join(overlaps)}")
    if problems:
        raise ValidationError(
            f"Matrix {matrix.slug} bands do not cover each score exactly once: "
            + "; ".join(problems),
            field="bands",
        )


def from_ciso_assistant(document: dict) -> list[dict]:
    """Convert a CISO Assistant risk-matrix library to riskkit's own format.

    CISO Assistant gives probability, impact and risk levels (ids from 0, with
    hexcolor) and a grid[probability][impact] of risk ids. It has no review
    intervals: the top band gets 1 month, the next 3, the next 6, the rest 12.
    """
    objects = (document.get("objects") or {}).get("risk_matrix")
    if not objects:
        raise ValidationError("Not a CISO Assistant library: no objects.risk_matrix", "risk_matrix")
    converted = []
    for raw in objects:
        for key in ("probability", "impact", "risk", "grid"):
            if key not in raw:
                raise ValidationError(f"CISO Assistant matrix is missing {key!r}", field=key)
        levels = sorted(raw["risk"], key=lambda r: r["id"])
        by_id = {r["id"]: r["name"] for r in levels}
        intervals = [1, 3, 6]
        bands = []
        for position, level in enumerate(reversed(levels)):
            bands.insert(0, {
                "name": level["name"],
                "colour": level.get("hexcolor", "#b1b4b6"),
                "colour_name": level["name"],
                "review_months": intervals[position] if position < len(intervals) else 12,
            })
        try:
            grid = [[by_id[cell] for cell in row] for row in raw["grid"]]
        except KeyError as missing:
            raise ValidationError(f"CISO Assistant grid names unknown risk id {missing}", "grid") from None
        slug = re.sub(r"[^a-z0-9]+", "-", str(raw.get("ref_id") or raw["name"]).lower()).strip("-")
        converted.append({
            "slug": slug,
            "name": raw["name"],
            "likelihood": [p["name"] for p in sorted(raw["probability"], key=lambda p: p["id"])],
            "impact": [i["name"] for i in sorted(raw["impact"], key=lambda i: i["id"])],
            "bands": bands,
            "grid": grid,
        })
    return converted
