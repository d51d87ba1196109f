"""The statements of a search near a place: SQL written around the filters' WHERE clause.

A search near a place runs three to five statements (counts, the nearest ids, the
online ones). Building and compiling each through the ORM cost more than running it,
about 0.4 ms a statement. Here the filters are still the FilterSet's own: their WHERE
clause is compiled once, by Django, from the FilterSet's queryset. Only what goes
around it is written here, with bound parameters: the circle (`Circle.within_sql`),
the online formats, the limit on counting and the order. tests/groups/test_search_
statements.py checks that these statements find the same groups in the same order as
the FilterSet's own querysets (`located_part`, `remote_part`), on both databases.

Every piece put into the SQL text is a quoted table or column name, SQL compiled by
Django, or SQL text from Circle; every value is a bound parameter (hence the S608
exemptions below).
"""

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import QuerySet

from groups.models import Group
from groups.search.distance import Circle
from groups.search.filters import REMOTE_FORMATS


class NearbySearch:
    """The statements of one search near a place (the filters compiled once)."""

    def __init__(self, filtered: QuerySet, circle: Circle):
        self.db = filtered.db
        self.circle = circle
        ops = connections[self.db].ops
        self.table = ops.quote_name(Group._meta.db_table)
        self.column = {
            name: f"{self.table}.{ops.quote_name(Group._meta.get_field(name).column)}"
            for name in ("id", "format", "next_meeting_at", "name")
        }
        self.vendor = connections[self.db].vendor
        compiler = filtered.query.get_compiler(using=self.db)
        try:
            where, params = compiler.compile(filtered.query.where)
            self.where, self.params = f"({where})", list(params)
        except FullResultSet:
            self.where, self.params = "1 = 1", []
        except EmptyResultSet:  # e.g. words that match nothing: no statement is run
            self.where, self.params = None, []

    def count_near(self, limit: int) -> int:
        """How many match within the circle, counting no further than `limit`."""
        if self.where is None:
            return 0
        within, params = self.circle.within_sql()
        return self._count(f"{self.where} AND {within}", [*self.params, *params], limit)

    def nearest_ids(self, radius_km: float, count: int) -> list[int]:
        """The ids of the `count` nearest within radius_km, nearest first (answered from
        the search index alone)."""
        if self.where is None:
            return []
        circle = Circle(self.circle.latitude, self.circle.longitude, radius_km)
        within, params = circle.within_sql()
        # The distance is measured from the same point whatever the radius.
        distance, distance_params = self.circle.squared_distance_sql()
        sql = (
            f"SELECT {self.column['id']} FROM {self.table} WHERE {self.where} AND {within} "  # noqa: S608
            f"ORDER BY {distance} ASC, {self.column['id']} ASC LIMIT %s"
        )
        return self._ids(sql, [*self.params, *params, *distance_params, count])

    def count_remote(self, limit: int) -> int:
        """How many online and phone groups match, counting no further than `limit`."""
        if self.where is None:
            return 0
        remote, params = self._remote()
        return self._count(f"{self.where} AND {remote}", [*self.params, *params], limit)

    def remote_ids(self, offset: int, count: int) -> list[int]:
        """Online and phone groups by next meeting (none last), then name.

        One ordered, limited branch per format, merged: with `format IN (...)` neither
        database can read the index in meeting order, and PostgreSQL sorted every
        online group (85 ms at 1,000,000 groups).
        """
        if self.where is None or count <= 0:
            return []
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
        sql = (
            f"SELECT id FROM ({' UNION ALL '.join(branches)}) AS remote "  # noqa: S608
            "ORDER BY next_meeting_at ASC NULLS LAST, name ASC, id ASC LIMIT %s OFFSET %s"
        )
        return self._ids(sql, [*params, count, offset])

    def _remote(self, formats: tuple[str, ...] = REMOTE_FORMATS) -> tuple[str, list]:
        sql = f"{self.column['format']} IN ({', '.join(['%s'] * len(formats))})"
        if self.vendor == "sqlite":
            # As filters._Unlikely: SQLite's statistics guess a third of groups meet
            # online, and would scan the table (or the group_search_next index, in
            # meeting order) instead of the group_search_remote index.
            sql = f"likelihood({sql}, 0.05)"
        return sql, list(formats)

    def _count(self, where: str, params: list, limit: int) -> int:
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.table} WHERE {where} LIMIT %s) c"  # noqa: S608
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return cursor.fetchone()[0]

    def _ids(self, sql: str, params: list) -> list[int]:
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
