"""Several rows per co-op in one statement: a correlated select's rows as one column.

A page about many co-ops (the mentor dashboard), or about one co-op from many tables (its
statutory calendar), needs a few rows of each of several tables per co-op. One statement per
table makes the page's statement count grow with every feature it shows; :func:`json_rows`
turns each such select into one column of a single select over the co-ops instead. The
column's value is the select's rows as a list of tuples, in the select's order, typed like
the select's columns: days, instants and booleans come back as ``date``, ``datetime`` and
``bool``, not as the strings and numbers JSON carries them as.

SQLite builds the column with ``json_group_array``, PostgreSQL with ``json_agg``.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _rows_aggregate(FunctionElement):
    """Each row's columns as a JSON array, the rows aggregated into one JSON array ([] for none)."""

    name = "json_rows"
    inherit_cache = True
    type = sa.JSON()


@compiles(_rows_aggregate, "sqlite")
def _sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(_rows_aggregate, "postgresql")
def _postgresql(element, compiler, **kw):
    return f"coalesce(json_agg(json_build_array({compiler.process(element.clauses, **kw)})), '[]')"


@compiles(_rows_aggregate)
def _other(element, compiler, **kw):
    raise sa.exc.CompileError(f"json_rows is written for SQLite and PostgreSQL, not {compiler.dialect.name}")


class json_value(FunctionElement):
    """A text column that holds JSON, selected in :func:`json_rows` as the value it encodes
    (parsed with the rest of the rows, instead of one ``json.loads`` per row after them)."""

    name = "json_value"
    inherit_cache = True
    type = sa.JSON()


@compiles(json_value, "sqlite")
def _sqlite_value(element, compiler, **kw):
    return f"json({compiler.process(element.clauses, **kw)})"


@compiles(json_value, "postgresql")
def _postgresql_value(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS json)"


def _reader(type_: sa.types.TypeEngine):
    """How a value of the column's type comes back from its JSON form (None: as it is)."""
    if isinstance(type_, sa.DateTime):
        return datetime.fromisoformat  # SQLite's "2024-06-01 10:00:00.000000", PostgreSQL's "2024-06-01T10:00:00"
    if isinstance(type_, sa.Date):
        return date.fromisoformat
    if isinstance(type_, sa.Boolean):
        return bool  # SQLite's 0 and 1
    return None


class Rows(sa.types.TypeDecorator):
    """The JSON array of arrays :func:`json_rows` selects, read as a list of typed tuples."""

    impl = sa.JSON
    cache_ok = True

    def __init__(self, readers: tuple = ()):
        super().__init__()
        self.readers = readers

    def process_result_value(self, value, dialect) -> list[tuple]:
        if not value:
            return []
        if not any(self.readers):
            return [tuple(row) for row in value]
        readers = self.readers
        return [tuple(v if read is None or v is None else read(v) for read, v in zip(readers, row, strict=True))
                for row in value]


def json_rows(select: sa.Select, outer) -> sa.ScalarSelect:
    """The rows of ``select`` as one column of an enclosing select over ``outer`` (a table or
    mapped class that ``select`` refers to, e.g. ``Coop``): a list of tuples, [] when there is
    none. ``select`` may be ordered (the list keeps its order) and grouped."""
    select = select.correlate(outer)
    # Only an ordered or grouped select needs to be a derived table (SQLite answers faster without one).
    if not (select._order_by_clauses or select._group_by_clauses):
        columns = list(select.selected_columns)
        readers = tuple(_reader(column.type) for column in columns)
        return select.with_only_columns(sa.type_coerce(_rows_aggregate(*columns), Rows(readers)),
                                        maintain_column_froms=True).scalar_subquery()
    rows = select.subquery()
    readers = tuple(_reader(column.type) for column in rows.c)
    return sa.select(sa.type_coerce(_rows_aggregate(*rows.c), Rows(readers))).select_from(rows).scalar_subquery()
