"""Scenario packs: ready-to-run exercises kept as YAML files in the top-level
exercises/ folder. A pack is read whole and checked field by field; a fault is
refused with the file and line named, so whoever edits a pack can find it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from riskkit import vocab
from riskkit.errors import NotFound, ValidationError
from riskkit.services.named_files import read_text

REQUIRED = ("title", "type", "duration_minutes", "audience", "summary", "scenario",
            "objectives", "themes", "risks_tested", "injects")
INJECT_FIELDS = ("at", "title", "text", "questions")


@dataclass(frozen=True)
class Inject:
    at: int  # minutes from the start
    title: str
    text: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Pack:
    slug: str  # the file name without .yaml
    title: str
    type: str
    duration_minutes: int
    audience: str
    summary: str
    scenario: str
    objectives: tuple[str, ...]
    themes: tuple[str, ...]
    risks_tested: tuple[str, ...]
    injects: tuple[Inject, ...]

    @property
    def type_label(self) -> str:
        return vocab.label(vocab.EXERCISE_TYPES, self.type)


class _Reader:
    """Reads values out of the composed YAML node tree, so errors carry line numbers."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node, message: str, field: str):
        line = node.start_mark.line + 1 if node is not None else 1
        raise ValidationError(f"{self.path.name}, line {line}: {message}", field=field)

    def mapping(self, node, what: str, allowed: tuple[str, ...], required: tuple[str, ...]):
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of fields", what)
        fields = {}
        for key, value in node.value:
            if key.value not in allowed:
                self.fail(key, f"{what} has an unknown field {key.value!r}", key.value)
            fields[key.value] = value
        for name in required:
            if name not in fields:
                self.fail(node, f"{what} has no {name!r}", name)
        return fields

    def text(self, node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.fail(node, f"{field!r} must be some text", field)
        return str(node.value).strip()

    def whole(self, node, field: str, minimum: int) -> int:
        try:
            value = int(node.value) if isinstance(node, yaml.ScalarNode) else None
        except ValueError:
            value = None
        if value is None or value < minimum:
            self.fail(node, f"{field!r} must be a whole number of at least {minimum}", field)
        return value

    def texts(self, node, field: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.fail(node, f"{field!r} must be a list with at least one entry", field)
        return tuple(self.text(item, field) for item in node.value)


def read_pack(path: Path) -> Pack:
    reader = _Reader(path)
    try:
        root = yaml.compose(read_text(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise ValidationError(f"{path.name}{where}: not valid YAML", field="file") from None
    fields = reader.mapping(root, "The pack", REQUIRED, REQUIRED)
    pack_type = reader.text(fields["type"], "type")
    if pack_type not in vocab.values(vocab.EXERCISE_TYPES):
        reader.fail(fields["type"], f"'type' must be one of"
                    f" {', '.join(vocab.values(vocab.EXERCISE_TYPES))}", "type")
    themes = reader.texts(fields["themes"], "themes")
    for theme, node in zip(themes, fields["themes"].value, strict=True):
        if theme not in vocab.DEFAULT_THEMES:
            reader.fail(node, f"unknown theme {theme!r}", "themes")
    injects_node = fields["injects"]
    if not isinstance(injects_node, yaml.SequenceNode) or not injects_node.value:
        reader.fail(injects_node, "'injects' must be a list with at least one entry", "injects")
    injects, last = [], -1
    for number, node in enumerate(injects_node.value, 1):
        inject = reader.mapping(node, f"Inject {number}", INJECT_FIELDS, INJECT_FIELDS)
        at = reader.whole(inject["at"], "at", 0)
        if at <= last:
            reader.fail(inject["at"], f"inject {number} must come later than the one before",
                        "at")
        last = at
        injects.append(Inject(at, reader.text(inject["title"], "title"),
                              reader.text(inject["text"], "text"),
                              reader.texts(inject["questions"], "questions")))
    return Pack(
        slug=path.stem, title=reader.text(fields["title"], "title"), type=pack_type,
        duration_minutes=reader.whole(fields["duration_minutes"], "duration_minutes", 1),
        audience=reader.text(fields["audience"], "audience"),
        summary=reader.text(fields["summary"], "summary"),
        scenario=reader.text(fields["scenario"], "scenario"),
        objectives=reader.texts(fields["objectives"], "objectives"), themes=themes,
        risks_tested=reader.texts(fields["risks_tested"], "risks_tested"),
        injects=tuple(injects),
    )


def list_packs(folder: str | Path) -> list[Pack]:
    """Every pack in the folder, by title; one bad file refuses the lot, naming it."""
    return sorted((read_pack(path) for path in sorted(Path(folder).glob("*.yaml"))),
                  key=lambda pack: pack.title)


#: A pack's name: its file name without .yaml, short enough for Event.pack. Anything
#: else (a path, a NUL, 10,000 characters) never reaches the file system.
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")


def get_pack(folder: str | Path, slug: str) -> Pack:
    path = Path(folder) / f"{slug}.yaml"
    if not SLUG.fullmatch(slug or "") or not path.is_file():
        known = ", ".join(sorted(p.stem for p in Path(folder).glob("*.yaml")))
        raise NotFound(f"No scenario pack called {(slug or '')[:60]!r} (there are: {known})")
    return read_pack(path)
