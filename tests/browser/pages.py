"""The pages every browser check walks (axe, phone/desktop, zoom, keyboard, Spanish).

To add a page: append a `PageSpec` to PAGES. `build` creates what the page needs with
tests/factories.py and returns its path; `user` names a standing-actor fixture
(tests/conftest.py) to sign in as. See docs/browser.md.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from tests.factories import GroupFactory, LocationFactory


@dataclass(frozen=True)
class PageSpec:
    name: str  # file names of screenshots, test ids
    build: Callable[[], str]  # makes the data, returns the path to open
    user: str | None = None  # fixture name of a standing actor to sign in as
    # Text on the page that is not the interface's (typed by organizers): the Spanish
    # check leaves it alone. Names of groups built below are added automatically.
    content: tuple[str, ...] = field(default=())


def _search_results() -> str:
    for name, lat, lng in (
        ("Tuesday Evening Peer Circle", 39.7990, -89.6440),
        ("Hearing Voices Drop-in", 39.8010, -89.6500),
        ("Family Carers Coffee Morning", 39.7900, -89.6300),
    ):
        GroupFactory(name=name, location=LocationFactory(latitude=lat, longitude=lng))
    return reverse("groups:search") + "?q=62701"


def _group() -> str:
    group = GroupFactory(
        name="Tuesday Evening Peer Circle",
        description="A friendly peer-led group for people living with depression.",
    )
    return reverse("groups:detail", args=[group.pk])


PAGES: list[PageSpec] = [
    PageSpec("search-empty", lambda: reverse("groups:search")),
    PageSpec("search-results", _search_results),
    PageSpec("group", _group),
    PageSpec("login", lambda: reverse("accounts:login")),
    PageSpec("password-reset", lambda: reverse("accounts:password_reset")),
    PageSpec("password-reset-sent", lambda: reverse("accounts:password_reset_done")),
    PageSpec("not-found", lambda: "/no-such-page/"),
    PageSpec("staff-home", lambda: reverse("accounts:home"), user="organizer_a"),
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
)


def open_page(page, spec: PageSpec, *, base_url: str, request, sign_in) -> None:
    """Build the page's data, sign in if it needs a user, and open it."""
    path = spec.build()
    if spec.user:
        sign_in(page.context, request.getfixturevalue(spec.user))
    response = page.goto(base_url + path)
    assert response is not None
    if spec.name != "not-found":
        assert response.ok, f"{spec.name}: {path} answered {response.status}"
