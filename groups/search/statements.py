"""The statements of a search near a place: SQL written around the filters' WHERE clause.

A search near a place runs one to three statements (the nearest rows with the circle's
count, a larger circle when needed, the online rows with their count). Building and
compiling each through the ORM cost more than running it, about 0.4 ms a statement. Here
the filters are still the FilterSet's own: their WHERE clause is compiled once, by
Django, from the FilterSet's queryset. Only what goes around it is written here, with
bound parameters: the circle (`Circle.within_sql`), the online formats, the limit on
counting and the order. tests/groups/test_search_statements.py checks that these
statements find the same groups in the same order as the FilterSet's own querysets
(`located_part`, `remote_part`), on both databases.

On PostgreSQL the statements are prepared (server-side binding, `prepare=True`):
planning them cost as much as running them (0.3 ms or more each, warm, with the
table's search indexes to weigh), and the cells are one array parameter so one
prepared statement serves every search of the same shape. psycopg keeps the
prepared statements of each connection (its own LRU of 100). A deployment behind a
connection pooler in transaction mode that cannot keep prepared statements sets
KINDRED_PREPARED_SEARCH=false.

Every piece put into the SQL text is a quoted table or column name, SQL compiled by
Django, or SQL text from Circle; every value is a bound parameter (hence the S608
exemptions below).
"""

from collections.abc import Callable, Sequence
from datetime import UTC
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from groups.fields import VocabularySetField
from groups.models import Group
from groups.search.distance import Circle
from groups.search.filters import REMOTE_FORMATS


class NearbySearch:
    """The statements of one search near a place (the filters compiled once)."""

    def __init__(self, filtered: QuerySet | None, circle: Circle, *, where=None, db=None):
        """The statements around `filtered`'s WHERE clause, or around `where` (a
        `where_clause()` kept from an earlier search on database `db`)."""
        self.db = db if filtered is None else filtered.db
        self.circle = circle
        self.table, self.column = _names(self.db)
        self.vendor = connections[self.db].vendor
        self.prepared = self.vendor == "postgresql" and settings.KINDRED_PREPARED_SEARCH
        self.where, params = where if filtered is None else compiled_where(filtered)
        self.params = list(params)

    def where_clause(self) -> tuple[str | None, tuple]:
        """The filters' WHERE clause and its parameters, to keep for the same filters."""
        return self.where, tuple(self.params)

    def count_near(self, limit: int) -> int:
        """How many match within the circle, counting no further than `limit`."""
        if self.where is None:
            return 0
        sql, params = self._count_sql(*self._near(), limit)
        return self._scalar(sql, params)

    def nearest_rows(self, radius_km: float, count: int, listing: "ListingRows") -> list[list]:
        """The rows of the `count` nearest within radius_km, nearest first: chosen from
        the search index alone, then only their rows are read, in the same statement."""
        if self.where is None:
            return []
        chosen, params = self._nearest(radius_km, count)
        sql = listing.around(chosen, "chosen.d2 ASC, chosen.id ASC")
        return self._rows(sql, params, listing)

    def nearest_rows_counted(
        self, radius_km: float, count: int, listing: "ListingRows", limit: int
    ) -> tuple[list[list], int | None]:
        """nearest_rows(), and in the same statement count_near(limit): one round trip
        for a search near a big city. The count is None when no row came back."""
        if self.where is None:
            return [], 0
        chosen, params = self._nearest(radius_km, count)
        count_sql, count_params = self._count_sql(*self._near(), limit)
        sql = listing.around(chosen, "chosen.d2 ASC, chosen.id ASC", extra=f"({count_sql})")
        return self._rows_and_extra(sql, [*count_params, *params], listing)

    def count_remote(self, limit: int) -> int:
        """How many online and phone groups match, counting no further than `limit`."""
        if self.where is None:
            return 0
        sql, params = self._count_sql(*self._remote(), limit)
        return self._scalar(sql, params)

    def remote_rows_counted(
        self, offset: int, count: int, listing: "ListingRows", limit: int
    ) -> tuple[list[list], int | None]:
        """The rows of online and phone groups by next meeting (none last), then name,
        and in the same statement count_remote(limit). The count is None when no row
        came back."""
        if self.where is None or count <= 0:
            return [], None
        count_sql, count_params = self._count_sql(*self._remote(), limit)
        sql, params = self._remote_statement(offset, count, listing, extra=f"({count_sql})")
        return self._rows_and_extra(sql, [*count_params, *params], listing)

    def _near(self) -> tuple[str, list]:
        return self.circle.within_sql(cells_as_array=self.prepared)

    def _nearest(self, radius_km: float, count: int) -> tuple[str, list]:
        circle = Circle(self.circle.latitude, self.circle.longitude, radius_km)
        within, params = circle.within_sql(cells_as_array=self.prepared)
        # The distance is measured from the same point whatever the radius.
        distance, distance_params = self.circle.squared_distance_sql()
        chosen = (
            f"SELECT {self.column['id']} AS id, {distance} AS d2 FROM {self.table} "  # noqa: S608
            f"WHERE {self.where} AND {within} ORDER BY d2 ASC, id ASC LIMIT %s"
        )
        return chosen, [*distance_params, *self.params, *params, count]

    def _remote_statement(
        self, offset: int, count: int, listing: "ListingRows", extra: str = ""
    ) -> tuple[str, list]:
        """Online and phone groups in order, one ordered, limited branch per format, merged:
        with `format IN (...)` neither database can read the index in meeting order, and
        PostgreSQL sorted every online group (85 ms at 1,000,000 groups)."""
        c = self.column
        order = f"{c['next_meeting_at']} ASC NULLS LAST, {c['name']} ASC, {c['id']} ASC"
        branches, params = [], []
        for i, format_code in enumerate(REMOTE_FORMATS):
            remote, remote_params = self._remote((format_code,))
            branches.append(
                f"SELECT * FROM (SELECT {c['id']} AS id, {c['next_meeting_at']} AS "  # noqa: S608
                f"next_meeting_at, {c['name']} AS name FROM {self.table} WHERE {self.where} "
                f"AND {remote} ORDER BY {order} LIMIT %s) AS branch_{i}"
            )
            params += [*self.params, *remote_params, offset + count]
        chosen = (
            f"SELECT id, next_meeting_at, name FROM ({' UNION ALL '.join(branches)}) "  # noqa: S608
            "AS remote ORDER BY next_meeting_at ASC NULLS LAST, name ASC, id ASC LIMIT %s OFFSET %s"
        )
        order = "chosen.next_meeting_at ASC NULLS LAST, chosen.name ASC, chosen.id ASC"
        return listing.around(chosen, order, extra=extra), [*params, count, offset]

    def _remote(self, formats: tuple[str, ...] = REMOTE_FORMATS) -> tuple[str, list]:
        sql = f"{self.column['format']} IN ({', '.join(['%s'] * len(formats))})"
        if self.vendor == "sqlite":
            # As filters._Unlikely: SQLite's statistics guess a third of groups meet
            # online, and would scan the table (or the group_search_next index, in
            # meeting order) instead of the group_search_remote index.
            sql = f"likelihood({sql}, 0.05)"
        return sql, list(formats)

    def _count_sql(self, condition: str, params: list, limit: int) -> tuple[str, list]:
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.table} "  # noqa: S608
            f"WHERE {self.where} AND {condition} LIMIT %s) c"
        )
        return sql, [*self.params, *params, limit]

    def _scalar(self, sql: str, params: list) -> int:
        with self._cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def _rows_and_extra(self, sql: str, params: list, listing) -> tuple[list[list], int | None]:
        rows = self._rows(sql, params, listing)
        if not rows:
            return [], None
        return [row[:-1] for row in rows], rows[0][-1]

    def _rows(self, sql: str, params: list, listing: "ListingRows") -> list[list]:
        with self._cursor() as cursor:
            cursor.execute(sql, params)
            return listing.converted(cursor.fetchall())

    def _cursor(self):
        connection = connections[self.db]
        if not self.prepared:
            return connection.cursor()
        return prepared_cursor(connection)


def compiled_where(filtered: QuerySet) -> tuple[str | None, list]:
    """The queryset's WHERE clause as SQL and parameters (None: it matches nothing)."""
    compiler = filtered.query.get_compiler(using=filtered.db)
    try:
        where, params = compiler.compile(filtered.query.where)
    except FullResultSet:
        return "1 = 1", []
    except EmptyResultSet:  # e.g. words that match nothing: no statement is run
        return None, []
    return f"({where})", list(params)


@cache
def _names(db: str) -> tuple[str, dict[str, str]]:
    """The group table's name and the columns written here, quoted for `db`."""
    ops = connections[db].ops
    table = ops.quote_name(Group._meta.db_table)
    columns = {
        name: f"{table}.{ops.quote_name(Group._meta.get_field(name).column)}"
        for name in ("id", "format", "next_meeting_at", "name")
    }
    return table, columns


class ListingRows:
    """The columns a list of results shows, read for the groups a statement chose.

    `columns` are paths as values_list() takes them: the group's own fields, and one
    field of a to-one relation ("organization__name", "location__city"). Building and
    compiling a values_list() query for the 20 rows on every search cost more than
    running it (about 1 ms on SQLite, 2-3 ms on PostgreSQL with planning the
    three-table join on top); here the rows are read in the statement that chose
    them. Values come back as the ORM gives them (vocabulary sets as tuples, booleans,
    decimals, aware datetimes): tests/groups/test_search_statements.py compares both.
    """

    def __init__(self, db: str, columns: Sequence[str]):
        connection = connections[db]
        quote = connection.ops.quote_name
        self.table = table = quote(Group._meta.db_table)
        selected, joins, self.converters = [], {}, []
        for path in columns:
            name, _sep, related_name = path.partition("__")
            field = Group._meta.get_field(name)
            if related_name:
                related = field.related_model
                alias = quote(related._meta.db_table)
                join = "LEFT OUTER JOIN" if field.null else "INNER JOIN"
                joins[name] = (
                    f"{join} {alias} ON ({table}.{quote(field.column)} = "
                    f"{alias}.{quote(related._meta.pk.column)})"
                )
                field = related._meta.get_field(related_name)
                selected.append(f"{alias}.{quote(field.column)}")
            else:
                selected.append(f"{table}.{quote(field.column)}")
            if (convert := _converter(field, connection)) is not None:
                self.converters.append((len(selected) - 1, convert))
        self.select = ", ".join(selected)
        self.joins = " ".join(joins.values())
        self.pk = f"{table}.{quote(Group._meta.pk.column)}"

    def around(self, chosen: str, order: str, extra: str = "") -> str:
        """A statement reading the rows of the groups `chosen` selects (an `id` column
        and the columns `order` names), in that order; `extra`: one more column, last."""
        extra = f", {extra}" if extra else ""
        return (
            f"SELECT {self.select}{extra} FROM ({chosen}) AS chosen "  # noqa: S608
            f"INNER JOIN {self.table} ON {self.pk} = chosen.id {self.joins} ORDER BY {order}"
        )

    def converted(self, rows: list[tuple]) -> list[list]:
        result = []
        for row in rows:
            values = list(row)
            for i, convert in self.converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            result.append(values)
        return result


@cache
def listing_rows(db: str, columns: tuple[str, ...]) -> ListingRows:
    return ListingRows(db, columns)


def _converter(field: models.Field, connection) -> Callable | None:
    """What turns a database value into the ORM's Python value (None: nothing)."""
    if isinstance(field, VocabularySetField):
        return field.vocabulary.from_mask
    if connection.vendor != "sqlite":
        return None  # psycopg returns bool, Decimal and aware datetimes already
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.DecimalField):
        exponent = Decimal(1).scaleb(-field.decimal_places)
        return lambda value: Decimal(str(value)).quantize(exponent)
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    return None


def _sqlite_datetime(value):
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return timezone.make_aware(parsed, UTC) if timezone.is_naive(parsed) else parsed


def prepared_cursor(connection):
    """A cursor of Django's (query logging and execute wrappers included) whose
    statements PostgreSQL prepares on first use and plans again only when it must.

    Its rows come in PostgreSQL's binary format, which psycopg's C loaders read
    without parsing text (timestamps above all: Django's own loader for them is
    Python): 0.1 ms less per search. The values are the same Python values.
    """
    connection.ensure_connection()
    raw = _preparing_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@cache
def _preparing_cursor_class():
    # Imported on first use: a deployment on SQLite never loads the PostgreSQL backend.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(
                query, params, prepare=True, binary=True if binary is None else binary
            )

    return PreparingCursor
