"""Writing many rows of one table at once, inside the caller's transaction: ids taken
ahead, then the rows sent with COPY on PostgreSQL and one executemany on SQLite. Row by
row, or through the ORM, a 10,000-risk import spends minutes on what the database does
in seconds."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Table, func, select


def take_ids(connection, table: Table, count: int) -> list[int]:
    """`count` new ids for rows of `table`. On PostgreSQL from its id sequence, as an
    INSERT would take them. On SQLite the ones after the largest: the caller must already
    have written in this transaction, so that it holds SQLite's one write lock and no
    other writer can take them meanwhile."""
    if not count:
        return []
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(f'"{table.name}"', "id")
        return list(connection.execute(
            select(func.nextval(sequence)).select_from(func.generate_series(1, count))).scalars())
    last = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(last + 1, last + count + 1))


def insert_rows(connection, table: Table, rows: list[dict]) -> None:
    """Insert rows that all give the same columns (and their ids)."""
    if not rows:
        return
    columns = [table.c[name] for name in rows[0]]
    values = map(itemgetter(*(c.key for c in columns)), rows)
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{c.name}"' for c in columns)
        cursor = connection.connection.cursor()
        try:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in values:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    # What SQLAlchemy would do to each value (dates to text...), done once per value:
    # a batch's rows share their timestamps and most of their dates.
    processors = [(index, c.type.bind_processor(connection.dialect))
                  for index, c in enumerate(columns)]
    processors = [(index, _remembered(process)) for index, process in processors
                  if process is not None]
    if processors:
        values = map(lambda row: _processed(row, processors), values)
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c.name}"' for c in columns)
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                               list(values))


def _remembered(process):
    done = {}

    def remembered(value):
        if value not in done:
            done[value] = process(value)
        return done[value]
    return remembered


def _processed(row: tuple, processors) -> tuple:
    row = list(row)
    for index, process in processors:
        row[index] = process(row[index])
    return tuple(row)
