"""Which row of a sheet is its header, what kind of sheet it is, and which column
holds which field: guessed from headings as people write them, then overridden by
the user's mapping.

A mapping is plain data, the same shape in a mapping file (YAML or TOML), on the web
preview and in `--dry-run`:

    score_order: likelihood x impact   # or impact x likelihood
    create_owners: false
    sheets:
      Risk register: {kind: risks, header_row: 4, columns: {Ref: reference, ...}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from riskkit.errors import ValidationError

#: Fields of each kind of sheet, and the headings (normalised: lower case, words only)
#: people give them. Risk scores are qualified inherent/current/target separately.
FIELDS = {
    "risks": {
        "reference": ("ref", "risk ref", "risk id", "reference", "risk no", "risk number",
                      "risk reference", "id", "no"),
        "title": ("title", "risk title", "risk", "risk name", "name"),
        "description": ("description", "risk description", "event", "risk event"),
        "cause": ("cause", "causes", "risk cause"),
        "consequence": ("consequence", "consequences", "effect", "effects"),
        "owner": ("owner", "risk owner", "lead", "risk lead", "responsible officer"),
        "category": ("category", "risk category", "type", "risk type", "theme"),
        "status": ("status", "risk status"),
        "response": ("response", "risk response", "treatment", "response type"),
        "exempt": ("exempt",),
        "exempt_paragraph": ("exempt paragraph", "exemption paragraph", "schedule 12a paragraph"),
        "controls": ("controls", "existing controls", "current controls", "controls in place",
                     "key controls", "control measures"),
        "actions": ("actions", "further actions", "mitigating actions", "treatment plan",
                    "action plan", "further action", "actions required", "mitigation"),
        "action_owner": ("action owner", "action lead", "actions owner"),
        "action_due": ("action due date", "action due", "due date", "action date",
                       "action target date", "actions due"),
        "target_date": ("target date", "date to reach target"),
        "last_review": ("last review", "last review date", "last reviewed", "date reviewed",
                        "review date", "date of review", "date of last review"),
        "next_review": ("next review", "next review date", "review due", "date of next review"),
        "direction": ("direction of travel", "direction", "trend", "travel", "dot"),
        "previous_likelihood": ("previous likelihood",),
        "previous_impact": ("previous impact",),
        "objectives": ("objectives", "objective", "objectives threatened", "priorities",
                       "council priorities", "strategic priorities", "corporate objectives"),
    },
    "controls": {
        "reference": ("ref", "risk ref", "risk id", "reference", "risk no", "risk reference"),
        "description": ("control", "controls", "description", "control description",
                        "existing controls", "current controls"),
        "owner": ("owner", "control owner", "lead"),
        "effectiveness": ("effectiveness", "control effectiveness", "rag", "assurance"),
        "last_tested": ("last tested", "date tested", "tested"),
    },
    "actions": {
        "reference": ("ref", "risk ref", "risk id", "reference", "risk no", "risk reference"),
        "description": ("action", "actions", "description", "action description",
                        "further actions", "mitigating actions"),
        "owner": ("owner", "action owner", "lead", "action lead"),
        "due": ("due", "due date", "target date", "action due date", "deadline", "by when"),
        "status": ("status", "progress", "action status"),
        "completed": ("completed", "completed date", "date completed"),
    },
    "reviews": {
        "reference": ("reference", "ref", "risk ref"),
        "reviewed_on": ("reviewed on", "review date", "date"),
        "reviewer": ("reviewer", "reviewed by"),
        "comment": ("comment", "comments", "notes"),
        "before_likelihood": ("before likelihood",),
        "before_impact": ("before impact",),
        "after_likelihood": ("after likelihood",),
        "after_impact": ("after impact",),
        "next_review_date": ("next review date", "next review"),
        "next_review_reason": ("next review reason",),
    },
}
SCORE_PARTS = {"likelihood": ("likelihood", "l", "probability", "prob"),
               "impact": ("impact", "consequence", "severity", "i", "consequences"),
               "score": ("score", "rating", "risk score", "risk rating", "risk", "level",
                         "risk level", "l x i", "i x l", "lxi", "ixl", "total")}
QUALIFIERS = {"inherent": ("inherent", "pre mitigation", "gross", "original", "initial",
                           "untreated", "before controls"),
              "current": ("current", "residual", "post mitigation", "net", "revised"),
              "target": ("target", "future", "tolerable")}
SCORE_FIELDS = tuple(f"{q}_{p}" for q in ("inherent", "current", "target")
                     for p in ("likelihood", "impact", "score"))
#: How many rows from the top the header is looked for in.
HEADER_SEARCH = 25
KINDS = ("risks", "controls", "actions", "reviews", "ignore")


def normalise(heading) -> str:
    """'Risk Ref.' and 'risk_ref' alike: lower case, words and digits, single spaces;
    'L x I' and 'L×I' keep their x."""
    words = str(heading or "").lower().replace("×", " x ").replace("*", " x ")
    return " ".join(re.findall(r"[a-z0-9]+", words))


def recognise(heading, kind: str, group: str = "") -> str | None:
    """The field a heading names on a sheet of this kind. `group` is the merged heading
    above it ("Residual risk"), which qualifies plain Likelihood / Impact / Score."""
    words = normalise(heading)
    if not words:
        return None
    for name, synonyms in FIELDS[kind].items():
        if words in synonyms:
            return name
    if kind != "risks":
        return None
    # "Risk Score (L x I)": the bracket says the order, not the field.
    words = re.sub(r"\b(l x i|i x l|lxi|ixl)\b", "", words).strip() or words
    qualifier = _qualifier(normalise(group)) or "current"
    found = _qualifier(words)
    if found:
        qualifier = found
        for synonym in QUALIFIERS[found]:
            words = re.sub(rf"\b{synonym}\b", "", words)
    words = " ".join(w for w in words.split() if w not in ("risk", "rating", "score")) or \
        ("score" if re.search(r"\b(score|rating)\b", normalise(heading)) else words)
    words = words.strip()
    for part, synonyms in SCORE_PARTS.items():
        if words in synonyms:
            return f"{qualifier}_{part}"
    return None


def _qualifier(words: str) -> str | None:
    for name, synonyms in QUALIFIERS.items():
        if any(re.search(rf"\b{s}\b", words) for s in synonyms):
            return name
    return None


def impact_first(heading) -> bool:
    """'I x L', 'Impact x Likelihood': the one-cell scores below give impact first."""
    words = normalise(heading)
    return bool(re.search(r"\b(i x l|ixl|impact x likelihood|consequence x likelihood)\b", words))


@dataclass
class SheetMapping:
    """What one sheet holds: its kind, the header's row number (1 = the first row), and
    for each column heading (as written) the field it fills, or 'ignore'."""

    name: str
    kind: str
    header_row: int
    columns: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "header_row": self.header_row, "columns": dict(self.columns)}


@dataclass
class Mapping:
    sheets: dict[str, SheetMapping]
    score_order: str = "likelihood x impact"
    create_owners: bool = False

    def as_dict(self) -> dict:
        return {"score_order": self.score_order, "create_owners": self.create_owners,
                "sheets": {name: sheet.as_dict() for name, sheet in self.sheets.items()}}


def _sheet_kind(name: str, fields: dict[str, set]) -> str:
    """The kind a sheet is: by its name first ("Actions"), else by what it holds."""
    lowered = name.lower()
    for kind in ("actions", "controls", "reviews"):
        if kind[:-1] in lowered and "reference" in fields[kind]:
            return kind
    if "title" in fields["risks"] or "current_score" in fields["risks"] \
            or "current_likelihood" in fields["risks"]:
        return "risks"
    return "ignore"


def guess_sheet(name: str, rows: list[list], labels: set[str]) -> SheetMapping:
    """The header is the row, near the top, where most cells are headings we know.
    `labels` are the matrix's likelihood and impact labels, lower case: a Consequence
    column holding them (or numbers) is the impact, not a consequence description."""
    best, best_count = None, 1
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        group_row = rows[index - 1] if index else []
        count = sum(1 for position, cell in enumerate(row)
                    if any(recognise(cell, kind, _group(group_row, position)) for kind in FIELDS))
        if count > best_count:
            best, best_count = index, count
    if best is None:
        return SheetMapping(name, "ignore", 1)
    header, groups = rows[best], rows[best - 1] if best else []
    fields = {kind: {recognise(cell, kind, _group(groups, i)) for i, cell in enumerate(header)}
              for kind in FIELDS}
    kind = _sheet_kind(name, fields)
    if kind == "ignore":
        return SheetMapping(name, kind, best + 1)
    columns, used = {}, set()
    for position, cell in enumerate(header):
        heading = column_key(header, groups, position)
        if not heading:
            continue
        target = recognise(cell, kind, _group(groups, position))
        if target == "consequence" and _levels(rows[best + 1:best + 51], position, labels):
            target = recognise("impact", kind, _group(groups, position))
        # The first column of a field fills it (the export's score before its rating).
        columns[heading] = target if target and target not in used else "ignore"
        used.add(target)
    if kind == "risks" and "title" not in used and "description" in used:
        # Many registers have no title: their description names the risk.
        columns = {h: "title" if t == "description" else t for h, t in columns.items()}
    return SheetMapping(name, kind, best + 1, columns)


def _levels(rows: list[list], position: int, labels: set[str]) -> bool:
    """Whether a column holds levels (numbers or matrix labels) rather than prose."""
    cells = [str(row[position]).strip().lower() for row in rows
             if position < len(row) and row[position] not in (None, "")]
    return bool(cells) and all(
        re.fullmatch(r"\d{1,2}(\.0)?", cell) or re.sub(r"[\d()\s.\-]+$", "", cell).strip() in labels
        for cell in cells)


def _group(groups: list, position: int) -> str:
    """The merged group heading over a column: the nearest filled cell to its left in
    the row above (a merged cell's value sits in its first column)."""
    for index in range(min(position, len(groups) - 1), -1, -1):
        if groups[index] not in (None, ""):
            return str(groups[index])
    return ""


def column_key(header: list, groups: list, position: int) -> str:
    """How a column is named in a mapping: its heading, with the group heading above
    it when that tells apart two columns of the same name ('Residual risk: Score')."""
    heading = str(header[position] or "").strip()
    if not heading:
        return ""
    same = [i for i, cell in enumerate(header) if str(cell or "").strip() == heading]
    group = _group(groups, position).strip()
    if len(same) > 1 and group:
        return f"{group}: {heading}"
    if len(same) > 1:
        return f"{heading} ({same.index(position) + 1})"
    return heading


def merge(guessed: Mapping, given: dict | None) -> Mapping:
    """The user's mapping over the guessed one: what it names wins, the rest stays."""
    if not given:
        return guessed
    if not isinstance(given, dict):
        raise ValidationError("A mapping must be a table of settings", field="mapping")
    unknown = set(given) - {"sheets", "score_order", "create_owners"}
    if unknown:
        raise ValidationError(f"Unknown mapping settings: {', '.join(sorted(unknown))}"
                              " (known: sheets, score_order, create_owners)", field="mapping")
    order = normalise(given.get("score_order", guessed.score_order))
    if order not in ("likelihood x impact", "impact x likelihood"):
        raise ValidationError("score_order must be 'likelihood x impact' or"
                              f" 'impact x likelihood', not {given['score_order']!r}", "score_order")
    create = given.get("create_owners", guessed.create_owners)
    if not isinstance(create, bool):
        raise ValidationError("create_owners must be true or false", field="create_owners")
    sheets = dict(guessed.sheets)
    for name, settings in (given.get("sheets") or {}).items():
        if name not in sheets:
            raise ValidationError(f"The mapping names sheet {name!r}, which the file does not"
                                  f" have (it has {', '.join(sheets)})", field="sheets")
        sheets[name] = _merge_sheet(sheets[name], settings or {})
    return Mapping(sheets, order, create)


def _merge_sheet(sheet: SheetMapping, settings: dict) -> SheetMapping:
    kind = settings.get("kind", sheet.kind)
    if kind not in KINDS:
        raise ValidationError(f"Sheet {sheet.name!r}: kind must be one of {', '.join(KINDS)},"
                              f" not {kind!r}", field="kind")
    header_row = settings.get("header_row", sheet.header_row)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise ValidationError(f"Sheet {sheet.name!r}: header_row must be a row number",
                              field="header_row")
    columns = dict(sheet.columns) if header_row == sheet.header_row else {}
    allowed = set(FIELDS.get(kind, {})) | (set(SCORE_FIELDS) if kind == "risks" else set())
    for heading, target in (settings.get("columns") or {}).items():
        if target != "ignore" and target not in allowed:
            raise ValidationError(
                f"Sheet {sheet.name!r}, column {heading!r}: {target!r} is not a field of a"
                f" {kind} sheet (fields: {', '.join(sorted(allowed))}, or ignore)", field="columns")
        columns[str(heading)] = target
    return SheetMapping(sheet.name, kind, header_row, columns)
