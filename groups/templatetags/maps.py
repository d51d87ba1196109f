"""Turn groups into the points the optional map draws (read by static/js/map.js)."""

import json

from django import template
from django.urls import reverse

from groups import geo

register = template.Library()


def _coordinates(item) -> tuple[float | None, float | None]:
    latitude = getattr(item, "latitude", None)
    longitude = getattr(item, "longitude", None)
    location = getattr(item, "location", None)
    if latitude is None and location is not None:
        latitude, longitude = location.latitude, location.longitude
    return latitude, longitude


def _url(item) -> str:
    url = getattr(item, "url", None)
    if url:
        return str(url)
    return reverse("groups:detail", args=[item.pk])


@register.filter
def map_points(items) -> str:
    """A JSON list of {lat, lng, name, url} (empty string if no point has a place).

    Accepts groups (coordinates from `group.location`) or any object or search row
    with `latitude`, `longitude`, `name` and `url`/`pk`. Coordinates are rounded to
    about 10 metres: enough for a pin, no more precise than the street address shown.
    """
    if items is None or items == "":
        return ""
    if not hasattr(items, "__iter__"):
        items = [items]  # one group (the group page)
    points = []
    for item in items:
        latitude, longitude = _coordinates(item)
        if not geo.valid_coordinates(latitude, longitude):
            continue
        points.append(
            {
                "lat": round(float(latitude), 4),
                "lng": round(float(longitude), 4),
                "name": str(item.name),
                "url": _url(item),
            }
        )
    return json.dumps(points, ensure_ascii=False) if points else ""
