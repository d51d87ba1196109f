"""Security middleware: response headers, staff session timeouts, the second-factor gate."""

import time
from fnmatch import fnmatchcase

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.second_factor import user_has_authenticator, user_needs_second_factor
from accounts.security_log import security_event

AUTH_AT_KEY = "_kindred_auth_at"
SEEN_AT_KEY = "_kindred_seen_at"
# Writing the session on every request would cost a database write per page: the idle
# clock is only moved forward when it is at least this many seconds old.
_SEEN_AT_RESOLUTION = 60


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `no-store` on every page a signed-in person sees
    (their pages carry personal data and must not stay in a shared computer's cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.KINDRED_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, ..., private
        return response


class StaffSessionTimeoutMiddleware:
    """Sign staff out after `KINDRED_STAFF_IDLE_TIMEOUT_MINUTES` without a request, and
    `KINDRED_STAFF_ABSOLUTE_TIMEOUT_HOURS` after signing in, whatever they do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if user_needs_second_factor(request.user):
            expired = self._expired(request.session, int(time.time()))
            if expired:
                user_id = request.user.pk
                logout(request)
                security_event("session_expired", request=request, user_id=user_id, why=expired)
                messages.info(request, _("You were signed out to keep your account safe."))
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        return self.get_response(request)

    @staticmethod
    def _expired(session, now: int) -> str | None:
        auth_at = session.setdefault(AUTH_AT_KEY, now)
        seen_at = session.get(SEEN_AT_KEY, now)
        if now - auth_at > settings.KINDRED_STAFF_ABSOLUTE_TIMEOUT_HOURS * 3600:
            return "absolute"
        if now - seen_at > settings.KINDRED_STAFF_IDLE_TIMEOUT_MINUTES * 60:
            return "idle"
        if now - seen_at >= _SEEN_AT_RESOLUTION or SEEN_AT_KEY not in session:
            session[SEEN_AT_KEY] = now
        return None


def is_second_factor_exempt(resolver_match) -> bool:
    if resolver_match is None:
        return True  # nothing resolved: the 404 page
    name = resolver_match.view_name
    return any(fnmatchcase(name, pattern) for pattern in settings.KINDRED_SECOND_FACTOR_EXEMPT_URLS)


class SecondFactorRequiredMiddleware:
    """A signed-in moderator or member opens nothing but public pages until they have
    enrolled an authenticator (first sign-in) and passed the second factor (every sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user_needs_second_factor(user) or user.is_verified():
            return None
        if is_second_factor_exempt(request.resolver_match):
            return None
        target = (
            "accounts:second_factor_verify"
            if user_has_authenticator(user)
            else "accounts:second_factor_setup"
        )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
