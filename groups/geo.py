"""Distances and the search grid.

The search prefilters on an integer grid cell (0.1 degree squares) held in a
composite index, then orders by an exact distance. Distances shown to people are
plain haversine in Python: cheap enough for the 20 rows on a page.
"""

import math

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
CELL_DEGREES = 0.1
_CELLS_PER_ROW = 3600  # 360 degrees of longitude / 0.1


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _row(lat: float) -> int:
    return min(1799, max(0, math.floor((lat + 90) / CELL_DEGREES)))


def _col(lng: float) -> int:
    return math.floor(((lng + 180) % 360) / CELL_DEGREES) % _CELLS_PER_ROW


def grid_cell(lat: float, lng: float) -> int:
    """The number of the 0.1 degree square that holds the point."""
    return _row(lat) * _CELLS_PER_ROW + _col(lng)


def valid_coordinates(lat: float | None, lng: float | None) -> bool:
    """Real coordinates: in range, and not the 0,0 that broken geocoders emit."""
    if lat is None or lng is None:
        return False
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return False
    return not (abs(lat) < 1e-6 and abs(lng) < 1e-6)


def km_to_display(km: float, unit: str) -> float:
    return km / KM_PER_MILE if unit == "mi" else km
