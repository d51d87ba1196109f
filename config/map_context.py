"""Template context for the optional map (see templates/groups/_results_map.html)."""

from django.conf import settings


def map_settings(request):
    """The deployment's tile server and its credit; an empty URL means "no map"."""
    return {
        "map_tile_url": settings.KINDRED_MAP_TILE_URL,
        "map_attribution": settings.KINDRED_MAP_ATTRIBUTION,
    }
