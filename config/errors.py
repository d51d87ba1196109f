"""Friendly error pages in the person's language, with the crisis line, never a trace."""

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
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500_bare.html").render())
