"""Common themes, and the cross-reference of themes against events that shows the
resilience group which themes recur across exercises and incidents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from riskkit import permissions, vocab
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Debrief, Event, Lesson, Observation, Theme, User
from riskkit.models.lessons import observation_themes
from riskkit.services.paging import Page, paginate


def ensure_defaults() -> list[Theme]:
    """Start an empty themes list with the usual ones; never re-adds to a list in use."""
    if db.session.scalar(select(func.count(Theme.id))):
        return []
    themes = [Theme(name=name) for name in vocab.DEFAULT_THEMES]
    db.session.add_all(themes)
    db.session.flush()
    return themes


def list_themes(active_only: bool = False) -> list[Theme]:
    statement = select(Theme).order_by(Theme.name)
    if active_only:
        statement = statement.where(Theme.active.is_(True))
    return list(db.session.scalars(statement))


def get_theme(theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"No theme number {theme_id}")
    return theme


def find_themes(names: list[str]) -> list[Theme]:
    """Themes by name (case-insensitive), refusing any unknown name."""
    known = {t.name.lower(): t for t in list_themes()}
    missing = [n for n in names if n.strip().lower() not in known]
    if missing:
        raise ValidationError(f"Unknown theme: {', '.join(missing)}", field="themes")
    return [known[n.strip().lower()] for n in names]


def save_theme(by: User | None, theme: Theme | None, *, name: str, active: bool = True) -> Theme:
    permissions.require_unless_operator(by, "edit_exercises")
    clash = db.session.scalar(select(Theme).where(
        func.lower(Theme.name) == (name or "").strip().lower()))
    if clash is not None and clash is not theme:
        raise ValidationError("There is already a theme with that name", field="name")
    with acting_as(by):
        if theme is None:
            theme = Theme()
            db.session.add(theme)
        theme.name, theme.active = name, bool(active)
        db.session.flush()
    return theme


@dataclass
class CrossReference:
    """Themes (rows) against events (columns). Each cell: (observations, open lessons).
    `cells` covers every event; `events` may be one page of them (see cross_reference)."""

    themes: list[Theme]
    events: list[Event]
    cells: dict[tuple[int, int], tuple[int, int]]
    listing: Page | None = None  # when `events` is a page: which one, of how many

    def cell(self, theme: Theme, event: Event) -> tuple[int, int]:
        return self.cells.get((theme.id, event.id), (0, 0))

    def _theme_cells(self, theme: Theme) -> list[tuple[int, int]]:
        return [value for (theme_id, _), value in self.cells.items() if theme_id == theme.id]

    def events_with(self, theme: Theme) -> int:
        """How many events this theme came up in (of all, not only those listed): the
        measure of recurrence."""
        return sum(1 for observations, _ in self._theme_cells(theme) if observations)

    def totals(self, theme: Theme) -> tuple[int, int]:
        cells = self._theme_cells(theme)
        return sum(c[0] for c in cells), sum(c[1] for c in cells)

    def recurring(self) -> list[Theme]:
        """Themes seen at two or more events, most often first."""
        seen = [t for t in self.themes if self.events_with(t) >= 2]
        return sorted(seen, key=lambda t: (-self.events_with(t), -self.totals(t)[0], t.name))


def cross_reference(page: int | None = None, per_page: int = 20) -> CrossReference:
    """Two grouped queries for the cells, whatever the number of events; then the events
    whole, oldest first (for the CSV), or `page` of them, newest first (for the page)."""
    observed = db.session.execute(
        select(observation_themes.c.theme_id, Debrief.event_id, func.count())
        .join(Observation, Observation.id == observation_themes.c.observation_id)
        .join(Debrief, Debrief.id == Observation.debrief_id)
        .group_by(observation_themes.c.theme_id, Debrief.event_id)).all()
    open_lessons = db.session.execute(
        select(observation_themes.c.theme_id, Lesson.event_id, func.count(Lesson.id.distinct()))
        .join(Lesson, Lesson.observation_id == observation_themes.c.observation_id)
        .where(Lesson.status.in_(vocab.LESSON_OPEN))
        .group_by(observation_themes.c.theme_id, Lesson.event_id)).all()
    counts: Counter = Counter()
    lessons: Counter = Counter()
    for theme_id, event_id, n in observed:
        counts[(theme_id, event_id)] = n
    for theme_id, event_id, n in open_lessons:
        lessons[(theme_id, event_id)] = n
    cells = {key: (counts[key], lessons[key]) for key in set(counts) | set(lessons)}
    tagged = select(Event).where(Event.id.in_(
        select(Debrief.event_id).join(Observation, Observation.debrief_id == Debrief.id)
        .join(observation_themes, observation_themes.c.observation_id == Observation.id)))
    if page is None:
        events = list(db.session.scalars(tagged.order_by(Event.start_date, Event.id)))
        return CrossReference(list_themes(), events, cells)
    listing = paginate(tagged.order_by(Event.start_date.desc(), Event.id.desc()), page, per_page)
    return CrossReference(list_themes(), listing.items, cells, listing)


def cross_reference_rows(table: CrossReference) -> tuple[list[str], list[list]]:
    """The cross-reference as a flat table for CSV: one row per theme and event."""
    headers = ["theme", "event", "kind", "start_date", "observations", "open_lessons"]
    rows = []
    for theme in table.themes:
        for event in table.events:
            observations, open_lessons = table.cell(theme, event)
            if observations or open_lessons:
                rows.append([theme.name, event.name, event.kind, event.start_date.isoformat(),
                             observations, open_lessons])
    return headers, rows
