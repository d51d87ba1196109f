"""Response-header helpers other areas use on their views."""

import functools

from django.utils.cache import add_never_cache_headers


def no_store(view):
    """`Cache-Control: no-store, private` for a page with personal data that anonymous
    people open (a client's referral link, a reminder's manage page). Signed-in pages
    get it from SecurityHeadersMiddleware already."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)  # max-age=0, no-cache, no-store, ..., private
        return response

    return wrapped
