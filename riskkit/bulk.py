"""Writing many rows of one table at once, inside the caller's transaction: ids taken
ahead, then the rows sent with COPY on PostgreSQL and one executemany on SQLite. Row by
row, or through the ORM, a 10,000-risk import spends minutes on what the database does
in seconds."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Table, func, insert, select


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
    if connection.dialect.name == "postgresql":
        from psycopg import sql

        names = list(rows[0])
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names)))
        cursor = connection.connection.cursor()
        try:
            with cursor.copy(copy_sql) as copy:
                for row in map(itemgetter(*names), rows):
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    statement = insert(table).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    names = statement.positiontup  # the order of its placeholders
    # What SQLAlchemy would do to each value (dates to text...), done once per value:
    # a batch's rows share their timestamps and most of their dates.
    processors = [(index, _remembered(process)) for index, process in (
        (index, table.c[name].type.bind_processor(connection.dialect))
        for index, name in enumerate(names)) if process is not None]
    values = map(itemgetter(*names), rows)
    if processors:
        values = map(lambda row: _processed(row, processors), values)
    connection.exec_driver_sql(statement.string, list(values))


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
