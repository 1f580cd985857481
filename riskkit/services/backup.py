"""Backup and restore: one portable archive that SQLite and PostgreSQL both read.

The archive is a zip holding `manifest.json` (format, schema revision, time, and per
table its row count and the SHA-256 of its file) and `tables/<table>.jsonl`, one JSON
object per row, in primary-key order. Dates are ISO 8601; times are UTC; bytes (the
published papers) are base64.

A backup is one consistent snapshot while the app runs: SQLite's online backup API
copies the database first, PostgreSQL reads in one repeatable-read transaction. A
restore checks the whole archive before it writes anything, refuses a schema newer
than this riskkit's, and writes in one transaction, so it is all or nothing.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Date, DateTime, LargeBinary, create_engine, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError

from riskkit.database import upgrade_database
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models.base import utcnow
from riskkit.services.health import head_revision, migrations, schema_revision

#: What `riskkit init` adds by itself (with the history of adding it): a database holding
#: only these is still empty.
INIT_DEFAULTS = {"matrices", "level_schemes", "scheme_levels", "themes", "cadence_rules", "history"}
FORMAT = "riskkit-backup"
FORMAT_VERSION = 1


@dataclass
class Summary:
    revision: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables():
    """Every table, parents before children (the order rows can be inserted in)."""
    return db.metadata.sorted_tables


def _encode(value):
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):  # a published paper: kept byte for byte
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(column, value):
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _dump(connection: Connection, archive: zipfile.ZipFile) -> Summary:
    revision = schema_revision(connection)
    if revision != head_revision():
        raise ValidationError(f"The database is at schema {revision}, not this riskkit's"
                              f" {head_revision()}: run `riskkit init` first")
    rows, files = {}, {}
    for table in _tables():
        lines = [json.dumps({c.name: _encode(v) for c, v in zip(table.columns, row, strict=True)},
                            ensure_ascii=False, sort_keys=True)
                 for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
        data = ("\n".join(lines) + "\n" if lines else "").encode()
        archive.writestr(f"tables/{table.name}.jsonl", data)
        rows[table.name] = len(lines)
        files[table.name] = hashlib.sha256(data).hexdigest()
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": revision,
                "created_at": utcnow().isoformat(),
                "tables": {name: {"rows": rows[name], "sha256": files[name]} for name in rows}}
    archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return Summary(revision, rows)


def backup(path: Path) -> Summary:
    """Write the whole database to the archive at `path`, replacing an earlier backup there
    (as a nightly job does) but nothing else."""
    path = Path(path)
    _check_replaceable(path)
    partial = path.with_name(path.name + ".partial")
    engine = db.engine
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            if engine.dialect.name == "sqlite":
                summary = _dump_sqlite(archive)
            else:
                with engine.connect().execution_options(
                        isolation_level="REPEATABLE READ", postgresql_readonly=True) as connection:
                    summary = _dump(connection, archive)
        partial.replace(path)  # a half-written archive never takes the real name
    except OSError as error:  # a folder that is not there, a full or read-only disc
        raise ValidationError(f"Cannot write {path}: {error.strerror}", field="file") from None
    finally:
        with contextlib.suppress(OSError):  # the name that could not be written cannot be removed
            partial.unlink(missing_ok=True)
    return summary


def _check_replaceable(path: Path) -> None:
    """A backup replaces only an earlier backup: arguments swapped by mistake (`riskkit
    backup riskkit.sqlite`) must not overwrite the database, or any other file, with a zip."""
    if not os.path.isfile(path):  # (unlike Path.is_file, False for a name too long)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            if json.loads(archive.read("manifest.json")).get("format") == FORMAT:
                return
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, AttributeError):
        pass
    raise ValidationError(f"Cannot write {path}: it is not a riskkit backup, and a backup"
                          " replaces only an earlier backup. Name a new file.", field="file")


def _dump_sqlite(archive: zipfile.ZipFile) -> Summary:
    """A copy made by SQLite's online backup API is one consistent snapshot, however
    busy the live database is; the archive is read from the copy."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "snapshot.sqlite"
        source = db.engine.raw_connection()
        try:
            target = sqlite3.connect(copy)
            source.driver_connection.backup(target)
            target.close()
        finally:
            source.close()
        engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as connection:
                return _dump(connection, archive)
        finally:
            engine.dispose()


def read_archive(path: Path) -> tuple[dict, dict[str, list[dict]]]:
    """The manifest and every table's rows, after checking the whole archive: format,
    checksums and row counts. Raises ValidationError naming what is wrong."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise ValidationError(f"{path} is not a riskkit backup", "file")
            tables = {}
            for name, expected in manifest["tables"].items():
                data = archive.read(f"tables/{name}.jsonl")
                if hashlib.sha256(data).hexdigest() != expected["sha256"]:
                    raise ValidationError(f"{path}: the checksum of table {name} does not match"
                                          " the manifest: the archive is damaged", "file")
                tables[name] = [json.loads(line) for line in data.decode().splitlines()]
                if len(tables[name]) != expected["rows"]:
                    raise ValidationError(f"{path}: table {name} has {len(tables[name])} rows,"
                                          f" the manifest says {expected['rows']}", "file")
    except FileNotFoundError:
        raise ValidationError(f"No such file: {path}", "file") from None
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as error:
        if isinstance(error, ValidationError):
            raise
        raise ValidationError(f"{path} is not a readable riskkit backup: {error}", "file") from None
    return manifest, tables


def _check_revision(revision: str) -> None:
    head = head_revision()
    if revision == head:
        return
    known = {script.revision for script in migrations().walk_revisions()}
    if revision not in known:
        raise ValidationError(f"The backup is from a newer riskkit (schema {revision}); this"
                              f" riskkit knows schemas up to {head}: upgrade riskkit first", "file")
    raise ValidationError(f"The backup is from schema {revision}, this riskkit is at {head}:"
                          " restore it with the riskkit that made it, then upgrade"
                          " (`riskkit init`)", "file")


def row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in _tables()}


def restore(path: Path, replace: bool = False) -> Summary:
    """Load the archive into this database in one transaction. Without `replace` the
    database must hold no data; with it, what is there is deleted first (in the same
    transaction, so a failed restore leaves it as it was)."""
    manifest, tables = read_archive(path)
    _check_revision(manifest["schema_revision"])
    upgrade_database()
    if not replace and any(n for name, n in row_counts().items() if name not in INIT_DEFAULTS):
        raise ValidationError("The database is not empty: restore into a new database, or use"
                              " --replace to delete what is there first", "replace")
    unknown = set(tables) - {t.name for t in _tables()}
    if unknown:
        raise ValidationError(f"The backup has tables this riskkit does not: {', '.join(sorted(unknown))}",
                              "file")
    session = db.session
    try:
        for table in reversed(_tables()):
            session.execute(table.delete())
        for table in _tables():
            rows = [{column.name: _decode(column, row.get(column.name)) for column in table.columns}
                    for row in _parents_first(table, tables.get(table.name, []))]
            if rows:
                session.execute(table.insert(), rows)
        if db.engine.dialect.name == "postgresql":
            _move_sequences()
        session.commit()
    except (IntegrityError, DataError) as error:
        session.rollback()
        reason = str(error.orig).strip().splitlines()[0]
        raise ValidationError(f"{path} could not be restored ({reason}); nothing was written",
                              "file") from None
    except Exception:
        session.rollback()
        raise
    return Summary(manifest["schema_revision"], {name: len(rows) for name, rows in tables.items()})


def _parents_first(table, rows: list[dict]) -> list[dict]:
    """A table that refers to itself (a register's parent) needs each parent inserted
    before its children, whatever their ids."""
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        return rows
    column = own[0]
    by_id = {row["id"]: row for row in rows}
    ordered, placed = [], set()

    def place(row, seen=()):
        if row["id"] in placed or row["id"] in seen:  # `seen`: a cycle stops here
            return
        parent = by_id.get(row.get(column))
        if parent is not None:
            place(parent, (*seen, row["id"]))
        placed.add(row["id"])
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def _move_sequences() -> None:
    """Rows came with their ids: each id sequence must continue after the largest."""
    for table in _tables():
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            last = func.max(table.c.id)
            db.session.execute(select(func.setval(
                func.pg_get_serial_sequence(f'"{table.name}"', "id"),
                func.coalesce(last, 1), last.is_not(None))))
