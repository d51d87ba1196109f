"""The pages every browser check walks (axe, phone/desktop, zoom, keyboard, Spanish).

To add a page: append a `PageSpec` to PAGES. `build` creates what the page needs with
tests/factories.py and returns its path; `user` names a standing-actor fixture
(tests/conftest.py) to sign in as. See docs/browser.md.
"""

import datetime as dt
import inspect
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import GroupFactory, ScheduleFactory, located_group


@dataclass(frozen=True)
class PageSpec:
    name: str  # file names of screenshots, test ids
    build: Callable[..., str]  # makes the data (given the user, if it takes one), returns a path
    user: str | None = None  # fixture name of a standing actor to sign in as
    # False: signed in with the password only, the second step still to do.
    second_factor: bool = True
    # Text on the page that is not the interface's (typed by organizers): the Spanish
    # check leaves it alone. Names of groups built below are added automatically.
    content: tuple[str, ...] = field(default=())


def _search_results() -> str:
    for name, lat, lng in (
        ("Tuesday Evening Peer Circle", 39.7990, -89.6440),
        ("Hearing Voices Drop-in", 39.8010, -89.6500),
        ("Family Carers Coffee Morning", 39.7900, -89.6300),
    ):
        located_group(name=name, latitude=lat, longitude=lng)
    return reverse("groups:search") + "?near=62701"


def _search_error() -> str:
    """A place the gazetteer does not know: the form says so next to the field."""
    return reverse("groups:search") + "?near=00000"


def _group_with_meetings(**fields):
    from groups.services import occurrences_refresh

    group = located_group(
        latitude=39.7990,
        longitude=-89.6440,
        name="Tuesday Evening Peer Circle",
        description="A friendly peer-led group for people living with depression.",
        **fields,
    )
    ScheduleFactory(group=group)
    occurrences_refresh(group_id=group.pk)
    return group


def _group() -> str:
    return reverse("groups:detail", args=[_group_with_meetings().pk])


def _reminder_form() -> str:
    return reverse("reminders:signup", args=[_group_with_meetings().pk])


def _second_factor_verify(user) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return reverse("accounts:second_factor_verify")


def _referral_form(user) -> str:
    return reverse("referrals:create", args=[_group_with_meetings().pk])


def _client_link(user) -> str:
    """A referral made by case worker A, opened through the client's private link.

    The page speaks the client's language, whatever the browser's: this client reads
    Spanish, so the Spanish checks cover the client page too.
    """
    from referrals import services
    from referrals.models import Consent, Referral
    from referrals.selectors import token_hash

    referral = services.referral_create(
        agency=user.memberships.get().organization,
        group=_group_with_meetings(),
        case_worker=user,
        client=services.ClientDetails(
            name="J. D.",
            contact_method="email",
            contact_value="client@example.org",
            preferred_language="es",
            notes="",
        ),
        consent=services.ConsentRecord(
            shared_fields=frozenset({"name"}),
            method=Consent.Method.VERBAL_WITNESSED,
            given_at=timezone.now(),
            valid_until=timezone.localdate() + dt.timedelta(days=365),
        ),
    )
    token = secrets.token_urlsafe(32)
    Referral.objects.filter(pk=referral.pk).update(
        link_token_hash=token_hash(token), link_expires_at=timezone.now() + dt.timedelta(days=30)
    )
    return reverse("referrals:client_link", args=[token])


def _organizer_dashboard(user) -> str:
    GroupFactory(
        name="Tuesday Evening Peer Circle", organization=user.memberships.get().organization
    )
    return reverse("organizer:dashboard")


PAGES: list[PageSpec] = [
    PageSpec("search-empty", lambda: reverse("groups:search")),
    PageSpec("search-results", _search_results),
    PageSpec("group", _group),
    PageSpec("login", lambda: reverse("accounts:login")),
    PageSpec("password-reset", lambda: reverse("accounts:password_reset")),
    PageSpec("password-reset-sent", lambda: reverse("accounts:password_reset_done")),
    PageSpec("not-found", lambda: "/no-such-page/"),
    PageSpec("staff-home", lambda: reverse("accounts:home"), user="organizer_a"),
    # Phase 2: the pages of the three journeys.
    PageSpec("search-error", _search_error),
    PageSpec("reminder-form", _reminder_form),
    PageSpec("reminder-check-email", lambda: reverse("reminders:check_email")),
    PageSpec(
        "second-factor-setup",
        lambda: reverse("accounts:second_factor_setup"),
        user="organizer_b",
        second_factor=False,
    ),
    PageSpec(
        "second-factor-verify", _second_factor_verify, user="organizer_b", second_factor=False
    ),
    PageSpec("referral-form", _referral_form, user="case_worker_a"),
    PageSpec("client-link", _client_link, user="case_worker_a", content=("J. D.",)),
    PageSpec("organizer-dashboard", _organizer_dashboard, user="organizer_a"),
    PageSpec("organizer-group-form", lambda: reverse("organizer:group_create"), user="organizer_a"),
]

# Organizer-typed text used by the builders above (kept out of the English check).
CONTENT = (
    "Tuesday Evening Peer Circle",
    "Hearing Voices Drop-in",
    "Family Carers Coffee Morning",
    "A friendly peer-led group for people living with depression.",
    "Someone meets you at the door. You never have to speak.",
    "Community Center",
    "Main Street",
    "Springfield",
    "Riverside Peer Network",
    "Olivia Organizer",
    "Tuesday Peer Circle",
)


def open_page(page, spec: PageSpec, *, base_url: str, request, sign_in) -> None:
    """Build the page's data, sign in if it needs a user, and open it."""
    user = request.getfixturevalue(spec.user) if spec.user else None
    takes_user = bool(inspect.signature(spec.build).parameters)
    path = spec.build(user) if takes_user else spec.build()
    if user is not None and spec.second_factor:
        sign_in(page.context, user)
    elif user is not None:
        client = request.getfixturevalue("login_without_second_factor")(Client(), user)
        page.context.add_cookies(
            [
                {"name": cookie.key, "value": cookie.value, "url": base_url}
                for cookie in client.cookies.values()
            ]
        )
    if spec.name == "client-link":
        page.context.clear_cookies()  # the client has no account
    response = page.goto(base_url + path)
    assert response is not None
    if spec.name != "not-found":
        assert response.ok, f"{spec.name}: {path} answered {response.status}"
