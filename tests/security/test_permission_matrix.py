"""The permission matrix: every URL name × every role × GET and POST.

Each URL name has a row in ROWS saying, for GET and for POST, what status each role gets.
A URL name with no row FAILS `test_every_url_name_has_a_row`, so a new page cannot ship
unclassified. Every response in the run is also checked for the security headers, and
anonymous GETs of rows marked `cookieless` must set no cookie.

Adding a row (docs/security.md has more):

    Row("reminders:manage", kwargs=lambda w: {"token": w.resident_token},
        get=PUBLIC, post=PUBLIC, cookieless=False),
    Row("referrals:detail", kwargs=lambda w: {"pk": w.referral_a.pk},
        get=expect(404, case_worker_a=200, anonymous=LOGIN, unverified=OTP),
        post=...),

- `expect(default, **role=status)`: `resident` and `deactivated` follow `anonymous`
  unless given. A status is an int, or LOGIN / OTP (a 302 to the sign-in or the second
  factor page), REDIRECT (any other 302), or REFUSED (302/403/404/405, never a page).
- Objects belong to organization A (provider_a / agency_a). For "B's object answers 404"
  add a second row of the same name with `label="B's"` and kwargs pointing at B's object.
- Build what a row needs in `World` (one instance for the whole run).
"""

import dataclasses
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership
from tests.factories import GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN, OTP, REDIRECT, REFUSED = "login", "otp", "redirect", "refused"
ROLES = (
    "anonymous",
    "resident",
    "organizer_a",
    "organizer_b",
    "case_worker_a",
    "case_worker_b",
    "org_admin",
    "moderator",
    "deactivated",
    "unverified",
)
SIGNED_IN_ROLES = {
    "organizer_a",
    "organizer_b",
    "case_worker_a",
    "case_worker_b",
    "org_admin",
    "moderator",
    "unverified",
}


def expect(default, **by_role) -> dict:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    table = dict.fromkeys(ROLES, default)
    if "anonymous" in by_role:
        table["resident"] = table["deactivated"] = by_role["anonymous"]
    table.update(by_role)
    return table


PUBLIC = expect(200)
NOT_ALLOWED = expect(405)
SIGNED_IN = expect(200, anonymous=LOGIN, unverified=OTP)
SIGNED_IN_NOT_ALLOWED = expect(405, anonymous=LOGIN, unverified=OTP)
# An organization-A object that only its admin manages: a plain member is refused (403),
# anyone outside the organization is told nothing exists (404).
ORG_A_ADMIN_ONLY = expect(404, org_admin=200, organizer_a=403, anonymous=LOGIN, unverified=OTP)


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    get: dict
    post: dict
    kwargs: Callable[["World"], dict] | None = None
    label: str = ""
    cookieless: bool = False  # anonymous GET must set no cookie
    post_ends_session: bool = False  # a POST signs the role out: sign it in again after


ROWS = [
    Row("healthz", get=PUBLIC, post=NOT_ALLOWED, cookieless=True),
    Row("readyz", get=PUBLIC, post=NOT_ALLOWED, cookieless=True),
    Row("set_language", get=NOT_ALLOWED, post=expect(302)),
    Row("groups:search", get=PUBLIC, post=PUBLIC, cookieless=True),
    Row(
        "groups:detail",
        kwargs=lambda w: {"pk": w.group_a.pk},
        get=PUBLIC,
        post=PUBLIC,
        cookieless=True,
    ),
    Row("accounts:home", get=SIGNED_IN, post=SIGNED_IN),
    Row(
        "accounts:login",
        get=expect(REDIRECT, anonymous=200, unverified=OTP),
        post=expect(REDIRECT, anonymous=200, unverified=OTP),
    ),
    Row("accounts:logout", get=NOT_ALLOWED, post=expect(REDIRECT), post_ends_session=True),
    Row("accounts:password_reset", get=PUBLIC, post=PUBLIC),
    Row("accounts:password_reset_done", get=PUBLIC, post=NOT_ALLOWED),
    Row(
        "accounts:password_reset_confirm",
        kwargs=lambda w: w.reset_kwargs,
        get=PUBLIC,  # a spent or forged link: the "link has expired" page
        post=PUBLIC,
    ),
    Row("accounts:password_reset_complete", get=PUBLIC, post=NOT_ALLOWED),
    Row("accounts:password_change", get=SIGNED_IN, post=SIGNED_IN),
    Row("accounts:password_change_done", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Row(
        "accounts:second_factor_setup",
        get=expect(REDIRECT, anonymous=LOGIN, unverified=REDIRECT),
        post=expect(REDIRECT, anonymous=LOGIN, unverified=REDIRECT),
    ),
    Row(
        "accounts:second_factor_verify",
        get=expect(REDIRECT, anonymous=LOGIN, unverified=200),
        post=expect(REDIRECT, anonymous=LOGIN, unverified=200),
    ),
    Row("accounts:recovery_codes", get=SIGNED_IN, post=SIGNED_IN),
    Row(
        "accounts:members",
        kwargs=lambda w: {"slug": w.provider_a.slug},
        get=ORG_A_ADMIN_ONLY,
        post=ORG_A_ADMIN_ONLY,
    ),
    Row(
        "accounts:members",
        label="B's",
        kwargs=lambda w: {"slug": w.provider_b.slug},
        get=expect(404, organizer_b=403, anonymous=LOGIN, unverified=OTP),
        post=expect(404, organizer_b=403, anonymous=LOGIN, unverified=OTP),
    ),
    Row(
        "accounts:member_deactivate",
        kwargs=lambda w: {"slug": w.provider_a.slug, "membership_pk": w.victim_a.pk},
        get=SIGNED_IN_NOT_ALLOWED,
        post=expect(404, org_admin=REDIRECT, organizer_a=403, anonymous=LOGIN, unverified=OTP),
    ),
    Row(
        "accounts:member_deactivate",
        label="B's",
        kwargs=lambda w: {"slug": w.provider_a.slug, "membership_pk": w.victim_b.pk},
        get=SIGNED_IN_NOT_ALLOWED,
        post=expect(404, organizer_a=403, anonymous=LOGIN, unverified=OTP),
    ),
    Row(
        "accounts:invitation_accept",
        kwargs=lambda w: {"token": w.invitation_token},
        get=PUBLIC,
        post=PUBLIC,  # an empty form comes back with its errors
    ),
    Row(
        "accounts:invitation_accept",
        label="unknown token",
        kwargs=lambda w: {"token": "not-a-token"},
        get=expect(404),
        post=expect(404),
    ),
    # Django's admin, explicitly: the door for non-staff and the unverified.
    Row(
        "admin:index",
        get=expect(LOGIN, moderator=200, unverified=OTP),
        post=expect(LOGIN, moderator=200, unverified=OTP),
    ),
    Row("admin:login", get=expect(LOGIN, unverified=OTP), post=expect(LOGIN, unverified=OTP)),
    Row(
        "admin:logout",
        # Not staff: the admin sends them to its index, whose door sends them to sign in.
        get=expect(REDIRECT, moderator=405, unverified=OTP),
        post=expect(REDIRECT, unverified=OTP),
        post_ends_session=True,
    ),
    Row(
        "admin:password_change",  # forwarded to ours, which ends the other sessions
        get=expect(LOGIN, moderator=REDIRECT, unverified=OTP),
        post=expect(LOGIN, moderator=REDIRECT, unverified=OTP),
    ),
    Row(
        "admin:password_change_done",
        get=expect(LOGIN, moderator=200, unverified=OTP),
        post=expect(LOGIN, moderator=405, unverified=OTP),
    ),
    Row(
        "admin:jsi18n",  # the admin's translation catalogue, behind the door too
        get=expect(LOGIN, moderator=200, unverified=OTP),
        post=expect(LOGIN, moderator=405, unverified=OTP),
    ),
]

# Every other admin page (one per registered model and action) behaves alike: only a
# verified moderator gets past the door, and Django's own model permissions decide there
# (a moderator without a model permission: 403). Django tests those permissions.
ADMIN_FALLBACK = expect(LOGIN, moderator=REFUSED, unverified=OTP)


class World:
    """What the rows point at: objects of organization A and of B, tokens, sample ids."""

    def __init__(self, actors):
        from accounts.models import Invitation
        from accounts.services import invitation_token_hash

        self.provider_a = actors["provider_a"]
        self.provider_b = actors["provider_b"]
        self.group_a = GroupFactory(organization=self.provider_a)
        self.victim_a = MembershipFactory(organization=self.provider_a)
        self.victim_b = MembershipFactory(organization=self.provider_b)
        self.invitation_token = "matrix-invitation-token"
        from django.utils import timezone

        Invitation.objects.create(
            organization=self.provider_a,
            email="invited@example.org",
            role=Membership.Role.ORGANIZER,
            token_hash=invitation_token_hash(self.invitation_token),
            expires_at=timezone.now() + timezone.timedelta(days=1),
        )
        someone = UserFactory()
        self.reset_kwargs = {
            "uidb64": urlsafe_base64_encode(force_bytes(someone.pk)),
            "token": "forged-token",
        }
        # The resident holds a reminder/referral link (reminder rows use it once merged).
        self.resident_token = "resident-link-token"

    def kwargs_for(self, pattern) -> dict:
        sample = {"int": 1, "str": "sample", "slug": "sample", "path": "1"}
        if not pattern.pattern.converters:  # a regex route, e.g. the admin's app_list
            return dict.fromkeys(pattern.pattern.regex.groupindex, "accounts")
        return {
            key: sample.get(type(conv).__name__.replace("Converter", "").lower(), "1")
            for key, conv in pattern.pattern.converters.items()
        }


def _named_patterns(resolver=None, namespace="", prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


def _all_rows(world) -> list[tuple[Row, dict]]:
    rows = [(row, row.kwargs(world) if row.kwargs else {}) for row in ROWS]
    listed = {row.name for row in ROWS}
    for name, pattern in _named_patterns():
        if name.startswith("admin:") and name not in listed:
            fallback = Row(name, get=ADMIN_FALLBACK, post=ADMIN_FALLBACK)
            rows.append((fallback, world.kwargs_for(pattern)))
            listed.add(name)
    return rows


def test_every_url_name_has_a_row():
    """A new URL must be classified here before it can ship."""
    listed = {row.name for row in ROWS}
    missing = sorted(
        name
        for name, _ in _named_patterns()
        if name not in listed and not name.startswith("admin:")
    )
    assert not missing, (
        "URL names without a row in tests/security/test_permission_matrix.py ROWS "
        f"(see docs/security.md, 'Adding a row'): {missing}"
    )
    unknown = listed - {name for name, _ in _named_patterns()}
    assert not unknown, f"rows for URL names that no longer exist: {sorted(unknown)}"


def _matches(expected, response) -> bool:
    location = response.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and location.startswith(
            (reverse("accounts:login"), "/admin/login/")
        )
    if expected == OTP:
        return response.status_code == 302 and location.startswith(
            (reverse("accounts:second_factor_verify"), reverse("accounts:second_factor_setup"))
        )
    if expected == REDIRECT:
        return response.status_code == 302
    if expected == REFUSED:
        return response.status_code in (302, 403, 404, 405) and "/login/" not in location
    return response.status_code == expected


def _header_problems(role, response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        if directive not in csp:
            problems.append(f"CSP lacks {directive!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") != settings.SECURE_REFERRER_POLICY:
        problems.append("no Referrer-Policy")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy")
    if role in SIGNED_IN_ROLES and "no-store" not in response.get("Cache-Control", ""):
        problems.append("signed-in page without Cache-Control: no-store")
    return problems


class Clients:
    """One test client per role, each from its own address (so per-address rate limits
    measure the matrix, not the sum of every role's requests)."""

    def __init__(self, actors, login, login_without_second_factor):
        self.actors, self.login, self.half_login = actors, login, login_without_second_factor
        self.users = {
            role: actors[role]
            for role in ("organizer_a", "organizer_b", "case_worker_a", "case_worker_b")
        } | {"org_admin": actors["org_admin"], "moderator": actors["moderator"]}
        provider_a = actors["provider_a"]
        self.users["unverified"] = MembershipFactory(organization=provider_a).user
        self.users["deactivated"] = MembershipFactory(organization=provider_a).user
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=self.users["unverified"], name="phone", confirmed=True)
        self.clients = {role: self._build(role) for role in ROLES}
        from accounts.services import membership_deactivate

        membership_deactivate(
            membership=self.users["deactivated"].memberships.get(), by=actors["org_admin"]
        )

    def _build(self, role) -> Client:
        client = Client(REMOTE_ADDR=f"192.0.2.{ROLES.index(role) + 10}")
        if role == "unverified":
            self.half_login(client, self.users[role])
        elif role in self.users:
            self.login(client, self.users[role])
        return client

    def rebuild(self, role):
        if role != "deactivated":
            self.clients[role] = self._build(role)


@pytest.fixture
def actors(
    provider_a,
    provider_b,
    organizer_a,
    organizer_b,
    case_worker_a,
    case_worker_b,
    org_admin,
    moderator,
):
    return locals()


def test_permission_matrix(actors, login, login_without_second_factor):
    world = World(actors)
    clients = Clients(actors, login, login_without_second_factor)
    failures = []
    for row, kwargs in _all_rows(world):
        url = reverse(row.name, kwargs=kwargs or None)
        for method, expected_by_role in (("GET", row.get), ("POST", row.post)):
            for role in ROLES:
                client = clients.clients[role]
                response = client.get(url) if method == "GET" else client.post(url, {})
                where = f"{row.name}{f' ({row.label})' if row.label else ''} {method} as {role}"
                expected = expected_by_role[role]
                if not _matches(expected, response):
                    failures.append(
                        f"{where}: expected {expected}, got {response.status_code} "
                        f"{response.get('Location', '')}"
                    )
                failures += [f"{where}: {p}" for p in _header_problems(role, response)]
                if (
                    row.cookieless
                    and method == "GET"
                    and role in ("anonymous", "resident")
                    and response.cookies
                ):
                    failures.append(f"{where}: set cookies {sorted(response.cookies)}")
                if method == "POST" and row.post_ends_session:
                    clients.rebuild(role)
    assert not failures, f"{len(failures)} permission-matrix mismatches:\n" + "\n".join(failures)
