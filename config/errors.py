"""Friendly error pages in the person's language, with the crisis line, never a trace."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request):
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the frame itself failed: fall back to a page with no dependencies
        return _bare_500()


def _bare_500():
    return HttpResponseServerError(loader.get_template("500_bare.html").render())


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form came back without a valid token (often an old tab).
    `reason` is for developers and is not shown."""
    return render(request, "403_csrf.html", status=403)


def too_many_requests(request, *, retry_after: int = 60):
    response = render(
        request, "429.html", {"retry_after_minutes": max(1, -(-retry_after // 60))}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response
