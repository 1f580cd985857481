"""Common themes, and the cross-reference of themes against events that shows the
resilience group which themes recur across exercises and incidents."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from riskkit import permissions, vocab
from riskkit.audit import acting_as
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import Debrief, Event, Lesson, Observation, Theme, User
from riskkit.models.lessons import observation_themes
from riskkit.services.names import same_name
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
        same_name(Theme.name, name)))
    if clash is not None and clash is not theme:
        raise ValidationError("There is already a theme with that name", field="name")
    with acting_as(by):
        if theme is None:
            theme = Theme()
            db.session.add(theme)
        theme.name, theme.active = name, bool(active)
        db.session.flush()
    return theme


@dataclass(frozen=True)
class ThemeTotals:
    """One theme over every event: how many events it came up at (the measure of
    recurrence), its observations and its open lessons."""

    events: int = 0
    observations: int = 0
    open_lessons: int = 0


@dataclass
class CrossReference:
    """Themes (rows) against events (columns). Each cell: (observations, open lessons),
    for the events listed; `events` may be one page of them (see cross_reference), while
    each theme's totals count every event."""

    themes: list[Theme]
    events: list[Event]
    cells: dict[tuple[int, int], tuple[int, int]]
    summary: dict[int, ThemeTotals]  # theme id -> its totals over every event
    listing: Page | None = None  # when `events` is a page: which one, of how many

    def cell(self, theme: Theme, event: Event) -> tuple[int, int]:
        return self.cells.get((theme.id, event.id), (0, 0))

    def events_with(self, theme: Theme) -> int:
        """How many events this theme came up in (of all, not only those listed)."""
        return self.summary.get(theme.id, ThemeTotals()).events

    def totals(self, theme: Theme) -> tuple[int, int]:
        found = self.summary.get(theme.id, ThemeTotals())
        return found.observations, found.open_lessons

    def recurring(self) -> list[Theme]:
        """Themes seen at two or more events, most often first."""
        seen = [t for t in self.themes if self.events_with(t) >= 2]
        return sorted(seen, key=lambda t: (-self.events_with(t), -self.totals(t)[0], t.name))


def _tagged():
    """Observations' themes with the event each came up at (its debrief's)."""
    return (select(observation_themes.c.theme_id, Debrief.event_id)
            .join(Observation, Observation.id == observation_themes.c.observation_id)
            .join(Debrief, Debrief.id == Observation.debrief_id))


def _open_lessons():
    """Open lessons drawn from themed observations, with their theme and event."""
    return (select(observation_themes.c.theme_id, Lesson.event_id, Lesson.id)
            .join(Lesson, Lesson.observation_id == observation_themes.c.observation_id)
            .where(Lesson.open_clause()))


def _summary() -> dict[int, ThemeTotals]:
    """Each theme's totals over every event, counted by the database: two grouped
    statements, whatever the number of events and observations."""
    tagged = _tagged().subquery()
    seen = db.session.execute(
        select(tagged.c.theme_id, func.count(tagged.c.event_id.distinct()), func.count())
        .group_by(tagged.c.theme_id)).all()
    learning = _open_lessons().subquery()
    still_open = dict(db.session.execute(
        select(learning.c.theme_id, func.count(learning.c.id.distinct()))
        .group_by(learning.c.theme_id)).all())
    summary = {theme_id: ThemeTotals(events, observations, still_open.get(theme_id, 0))
               for theme_id, events, observations in seen}
    for theme_id, n in still_open.items():
        summary.setdefault(theme_id, ThemeTotals(open_lessons=n))
    return summary


def _cells(event_ids: list[int] | None) -> dict[tuple[int, int], tuple[int, int]]:
    """(theme, event) -> (observations, open lessons), for these events (None: all)."""
    tagged, learning = _tagged().subquery(), _open_lessons().subquery()
    observed = select(tagged.c.theme_id, tagged.c.event_id, func.count()) \
        .group_by(tagged.c.theme_id, tagged.c.event_id)
    lessons = select(learning.c.theme_id, learning.c.event_id, func.count(learning.c.id.distinct())) \
        .group_by(learning.c.theme_id, learning.c.event_id)
    if event_ids is not None:
        observed = observed.where(tagged.c.event_id.in_(event_ids))
        lessons = lessons.where(learning.c.event_id.in_(event_ids))
    counts = {(theme_id, event_id): n for theme_id, event_id, n in db.session.execute(observed)}
    open_counts = {(theme_id, event_id): n for theme_id, event_id, n in db.session.execute(lessons)}
    return {key: (counts.get(key, 0), open_counts.get(key, 0))
            for key in counts.keys() | open_counts.keys()}


def cross_reference(page: int | None = None, per_page: int = 20) -> CrossReference:
    """The events whole, oldest first, with every cell (for the CSV), or `page` of them,
    newest first, with the cells of that page only (for the page); each theme's totals
    over every event either way. A fixed number of statements, each grouped in the
    database, whatever the number of events."""
    tagged = select(Event).where(Event.id.in_(_tagged().with_only_columns(Debrief.event_id)))
    summary = _summary()
    if page is None:
        events = list(db.session.scalars(tagged.order_by(Event.start_date, Event.id)))
        return CrossReference(list_themes(), events, _cells(None), summary)
    listing = paginate(tagged.order_by(Event.start_date.desc(), Event.id.desc()), page, per_page)
    return CrossReference(list_themes(), listing.items, _cells([e.id for e in listing.items]),
                          summary, listing)


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
