"""The distance part of the search, measured in DESIGN.md.

1. Prefilter: `grid_cell IN (the 0.1 degree cells the circle touches)` and the
   circle's band of latitude, served by the composite index (status, grid_cell,
   latitude, longitude, filter columns).
   A very wide circle (high latitude, big radius) uses one range per grid row
   instead of a long IN list.
2. Radius and order: a flat-earth squared distance in degrees, computed in SQL
   without trigonometric functions so SQLite and PostgreSQL evaluate it alike:
   dlat² + (dlng · k)², where k is the cosine of the mid-latitude, linearized
   around the search point (cos φm ≈ cos φ0 − sin φ0 · Δφ/2), which keeps the
   east-west scale right across the circle even at high latitude. Across the
   antimeridian dlng wraps.
3. Distances shown to people: haversine in Python, for the rows on the page.
"""

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import FloatField, Q
from django.db.models.expressions import RawSQL

from groups import geo
from groups.models import Group

KM_PER_DEGREE = math.pi * geo.EARTH_RADIUS_KM / 180  # along a meridian
MAX_IN_CELLS = 400
_ROWS = 1800
_COLS = 3600


def _column(name: str) -> str:
    """A column of the group table, qualified and quoted for SQL written here."""
    quote = connection.ops.quote_name
    return f"{quote(Group._meta.db_table)}.{quote(Group._meta.get_field(name).column)}"


@dataclass(frozen=True)
class Circle:
    latitude: float
    longitude: float
    radius_km: float

    @property
    def radius_degrees(self) -> float:
        return self.radius_km / KM_PER_DEGREE

    def _lat_band(self) -> tuple[float, float]:
        r = self.radius_degrees
        return max(-90.0, self.latitude - r), min(90.0, self.latitude + r)

    def lng_half_span(self) -> float:
        """Half the circle's width in degrees of longitude (180: it wraps the globe)."""
        south, north = self._lat_band()
        if north >= 89.9 or south <= -89.9:
            return 180.0
        widest = max(abs(south), abs(north))
        cos = math.cos(math.radians(widest))
        span = self.radius_degrees / cos if cos > 1e-9 else 180.0
        return min(180.0, span)

    def crosses_antimeridian(self) -> bool:
        half = self.lng_half_span()
        return half >= 180.0 or self.longitude + half > 180 or self.longitude - half < -180

    def grid_rows(self) -> range:
        south, north = self._lat_band()
        return range(geo._row(south), geo._row(north) + 1)

    def grid_columns(self) -> list[tuple[int, int]]:
        """Inclusive column ranges the circle covers (two when it crosses the antimeridian)."""
        half = self.lng_half_span()
        if half >= 180.0:
            return [(0, _COLS - 1)]
        west, east = self.longitude - half, self.longitude + half
        first, last = geo._col(west), geo._col(min(east, 179.99999999))
        if west < -180 or east > 180 or first > last:
            first, last = geo._col(west), geo._col(east)
            return [(first, _COLS - 1), (0, last)]
        return [(first, last)]

    def _cells(self) -> list[int] | None:
        """The cells as an IN list, or None when there are too many (then: row ranges)."""
        rows, columns = self.grid_rows(), self.grid_columns()
        count = len(rows) * sum(last - first + 1 for first, last in columns)
        if count > MAX_IN_CELLS:
            return None
        return [row * _COLS + col for row in rows for a, b in columns for col in range(a, b + 1)]

    def _cell_ranges(self) -> list[tuple[int, int]]:
        return [
            (row * _COLS + first, row * _COLS + last)
            for row in self.grid_rows()
            for first, last in self.grid_columns()
        ]

    def cells_q(self) -> Q:
        cells = self._cells()
        if cells is not None:
            return Q(grid_cell__in=cells)
        q = Q()
        for low, high in self._cell_ranges():
            q |= Q(grid_cell__range=(low, high))
        return q

    def latitude_q(self) -> Q:
        """The circle's band of latitude: within each grid cell the index is in latitude
        order, so this narrows the scan of a cell to the rows that can be inside."""
        return Q(latitude__range=self._lat_band())

    def within_sql(self, *, cells_as_array: bool = False) -> tuple[str, list]:
        """`inside the circle` as SQL: the grid cells and the band of latitude (served by
        the search index), then the squared distance against the radius.

        `cells_as_array` (PostgreSQL): the cells are one array parameter,
        `= ANY(%s)`, so the statement's text is the same whatever the number of
        cells and a prepared statement serves every search of that shape.
        """
        cell = _column("grid_cell")
        cells = self._cells()
        if cells is not None and cells_as_array:
            cells_sql, params = f"{cell} = ANY(%s)", [cells]
        elif cells is not None:
            cells_sql, params = f"{cell} IN ({', '.join(['%s'] * len(cells))})", list(cells)
        else:
            ranges = self._cell_ranges()
            cells_sql = "(" + " OR ".join([f"{cell} BETWEEN %s AND %s"] * len(ranges)) + ")"
            params = [bound for pair in ranges for bound in pair]
        distance, distance_params = self.squared_distance_sql()
        sql = f"{cells_sql} AND {_column('latitude')} BETWEEN %s AND %s AND {distance} <= %s"
        return sql, [
            *params,
            *self._lat_band(),
            *distance_params,
            self.max_squared_distance(),
        ]

    def squared_distance(self) -> RawSQL:
        """Flat-earth squared distance in degrees², as one SQL expression.

        Written as SQL text (portable arithmetic only) rather than nested ORM
        expressions: building and compiling those cost more than the query itself.
        """
        # Only numbers computed here are interpolated, as bound parameters.
        return RawSQL(*self.squared_distance_sql(), output_field=FloatField())  # noqa: S611

    def squared_distance_sql(self) -> tuple[str, list]:
        lat0, lng0 = self.latitude, self.longitude
        lat, lng = _column("latitude"), _column("longitude")
        dlat = f"({lat} - %s)"
        if self.crosses_antimeridian():
            if lng0 >= 0:
                dlng = f"(CASE WHEN {lng} < %s THEN {lng} + %s ELSE {lng} - %s END)"
                dlng_params = [lng0 - 180, 360.0 - lng0, lng0]
            else:
                dlng = f"(CASE WHEN {lng} > %s THEN {lng} - %s ELSE {lng} - %s END)"
                dlng_params = [lng0 + 180, 360.0 + lng0, lng0]
        else:
            dlng, dlng_params = f"({lng} - %s)", [lng0]
        # cos of the mid-latitude, linearized: cos φm ≈ cos φ0 − sin φ0 · Δφ/2.
        cos0 = math.cos(math.radians(lat0))
        half_sin0 = math.sin(math.radians(lat0)) * math.pi / 360
        scale = f"(%s - %s * {dlat})"
        sql = f"({dlat} * {dlat} + {dlng} * {dlng} * {scale} * {scale})"
        params = [
            lat0,
            lat0,
            *dlng_params,
            *dlng_params,
            cos0,
            half_sin0,
            lat0,
            cos0,
            half_sin0,
            lat0,
        ]
        return sql, params

    def max_squared_distance(self) -> float:
        return self.radius_degrees**2

    def haversine_km(self, latitude: float, longitude: float) -> float:
        return geo.haversine_km(self.latitude, self.longitude, latitude, longitude)
