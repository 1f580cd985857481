"""One cell read as people write it: a level (number or the matrix's label), a score
in one cell (`4x5=20`, `L4 I5`, `Red 16`...), a UK date, a list of controls.

Each function takes the raw cell value and returns plain data or raises ValueError
with a message for the person who wrote the cell; the importer adds where it is.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from riskkit.scoring import Matrix

MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), 1) for name in names}
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})")
_MONTH_YEAR = re.compile(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+'?(\d{2}|\d{4})")
_LABELLED = re.compile(r"\b([li])\s*[:=]?\s*(\d+)")
_BULLET = re.compile(r"^\s*(?:[•·▪◦●‣*\-–—]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+", re.I)
_INLINE_BULLETS = re.compile(r"\s*[•·▪◦●‣]\s*")


def text(value) -> str:
    """A cell as trimmed text; numbers that are whole print without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def level(value, matrix: Matrix, axis: str) -> int | None:
    """A likelihood or impact: a number, the matrix's label in any case, or both
    ('Likely (4)', '4 - Likely'). Empty gives None."""
    words = text(value)
    if not words:
        return None
    labels = [label.lower() for label in (matrix.likelihood if axis == "likelihood" else matrix.impact)]
    numbers = re.findall(r"\d+", words)
    name = re.sub(r"[\d().\-–:]+", " ", words).strip().lower()
    found = labels.index(name) + 1 if name in labels else None
    number = int(numbers[0]) if len(numbers) == 1 else None
    if name and found is None or len(numbers) > 1 or (found and number and found != number):
        raise ValueError(f"{words!r} is not a {axis} on the {matrix.name} matrix:"
                         f" give 1 to {len(labels)} or one of {', '.join(_labels(matrix, axis))}")
    result = found or number
    _check_range(result, matrix, axis, words)
    return result


def _labels(matrix: Matrix, axis: str) -> tuple[str, ...]:
    return matrix.likelihood if axis == "likelihood" else matrix.impact


def _check_range(number: int, matrix: Matrix, axis: str, words: str) -> None:
    top = len(_labels(matrix, axis))
    if not 1 <= number <= top:
        raise ValueError(f"{axis.capitalize()} {words!r} is outside the {matrix.name} matrix"
                         f" (1 to {top})")


def score(value, matrix: Matrix, impact_first: bool = False) -> tuple[int | None, int | None, int | None]:
    """(likelihood, impact, score) from one cell; parts not written are None.

    Reads `4x5=20`, `3 x 4 = 12`, `2×5=10`, `L4 I5`, `4 4 16`, `Red 16`, `20` and the
    papers' own `High 20 Serious (4) Very Likely (5)` (impact before likelihood, labels
    named). `impact_first` says the heading put impact first (`I x L`)."""
    words = text(value)
    if not words:
        return None, None, None
    lowered = words.lower()
    labelled = dict((axis, int(n)) for axis, n in _LABELLED.findall(lowered))
    if len(labelled) == 2:
        likelihood, impact = labelled["l"], labelled["i"]
        total = None
    else:
        named = _named_parts(lowered, matrix)
        numbers = [int(n) for n in re.findall(r"\d+", lowered)]
        if named:
            likelihood, impact = named
            total = numbers[0] if numbers else None
        elif len(numbers) == 1:
            return None, None, _whole_score(numbers[0], matrix, words)
        elif len(numbers) in (2, 3):
            first, second = numbers[:2]
            likelihood, impact = (second, first) if impact_first else (first, second)
            total = numbers[2] if len(numbers) == 3 else None
        else:
            raise ValueError(f"{words!r} is not a score: write it like 4x5=20, L4 I5 or 20")
    _check_range(likelihood, matrix, "likelihood", str(likelihood))
    _check_range(impact, matrix, "impact", str(impact))
    if total is not None and total != likelihood * impact:
        raise ValueError(f"{words!r} does not add up: {likelihood} x {impact} is"
                         f" {likelihood * impact}, not {total}")
    return likelihood, impact, likelihood * impact


def _named_parts(lowered: str, matrix: Matrix) -> tuple[int, int] | None:
    """The papers' form 'High 20 Serious (4) Very Likely (5)': each label with its level."""
    pairs = re.findall(r"([a-z][a-z ]*?)\s*\((\d+)\)", lowered)
    if len(pairs) != 2:
        return None
    found = {}
    for label, number in pairs:
        label = label.strip()
        for axis in ("impact", "likelihood"):
            names = [n.lower() for n in _labels(matrix, axis)]
            if axis not in found and any(label.endswith(n) for n in names):
                found[axis] = int(number)
                break
    if len(found) != 2:
        return None
    return found["likelihood"], found["impact"]


def _whole_score(number: int, matrix: Matrix, words: str) -> int:
    if number not in matrix.reachable_scores():
        raise ValueError(f"Score {words!r} is not possible on the {matrix.name} matrix")
    return number


def split_score(total: int, matrix: Matrix) -> tuple[int, int] | None:
    """The one (likelihood, impact) giving a score, when only one cell does (16 is 4x4,
    but 12 could be 3x4 or 4x3)."""
    cells = [(lk, im) for lk in matrix.levels("likelihood") for im in matrix.levels("impact")
             if lk * im == total]
    return cells[0] if len(cells) == 1 else None


def uk_date(value) -> date | None:
    """A date as UK users write it, read day first: a real Excel date, 31/12/2024,
    31.12.24, 2024-12-31, or a month and year ('Sept 23', 'March 2024': the 1st)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    words = text(value)
    lowered = words.lower()
    match = _NUMERIC_DATE.fullmatch(lowered)
    try:
        if match:
            first, second, third = match.groups()
            if len(first) == 4:  # ISO: year first
                return date(int(first), int(second), int(third))
            return date(_year(third), int(second), int(first))
        match = _MONTH_YEAR.fullmatch(lowered)
        if match and match.group(2) in MONTHS:
            day, month, year = match.groups()
            return date(_year(year), MONTHS[month], int(day or 1))
    except ValueError:
        pass
    raise ValueError(f"{words!r} is not a date: write it like 31/12/2024")


def _year(digits: str) -> int:
    return int(digits) + 2000 if len(digits) == 2 else int(digits)


def items(value) -> list[str]:
    """Several controls or actions in one cell: one per line or bullet. Numbers, dashes
    and bullets at the start of a line are dropped; commas do not split."""
    words = text(value)
    lines = []
    for line in words.splitlines():
        for part in _INLINE_BULLETS.split(line):
            part = _BULLET.sub("", part).strip()
            if part:
                lines.append(part)
    return lines


def choice(value, vocabulary, field: str, also: dict[str, str] | None = None) -> str | None:
    """A vocabulary value from its stored word or its label, any case."""
    words = text(value)
    if not words:
        return None
    key = words.lower().replace("_", " ")
    known = {stored.replace("_", " "): stored for stored, _ in vocabulary}
    known.update({label.lower(): stored for stored, label in vocabulary})
    known.update(also or {})
    if key not in known:
        raise ValueError(f"{words!r} is not a {field}: use one of"
                         f" {', '.join(label for _, label in vocabulary)}")
    return known[key]
