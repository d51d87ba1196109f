"""Every organizer and moderation URL against every standing actor.

Anonymous people are sent to sign in; signed-in people without the role get 403;
another organization's object answers 404. The table must name every URL in both
namespaces, so a new page cannot ship without its permission row.
"""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from groups.models import ListingRevision
from tests.factories import GroupFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

# name: (method, kind of object in the URL or None)
URLS = {
    "organizer:dashboard": ("get", None),
    "organizer:group_create": ("get", None),
    "organizer:event_create": ("get", None),
    "organizer:group_manage": ("get", "group"),
    "organizer:group_edit": ("get", "group"),
    "organizer:group_submit": ("post", "group"),
    "organizer:group_confirm": ("post", "group"),
    "organizer:group_history": ("get", "group"),
    "organizer:schedule_create": ("get", "group"),
    "organizer:schedule_edit": ("get", "schedule"),
    "organizer:schedule_delete": ("get", "schedule"),
    "organizer:occurrence_cancel": ("get", "occurrence"),
    "organizer:occurrence_move": ("get", "occurrence"),
    "moderation:queue": ("get", None),
    "moderation:revision_review": ("get", "revision"),
    "moderation:revision_approve": ("post", "revision"),
    "moderation:revision_send_back": ("post", "revision"),
    "moderation:group_archive": ("get", "group"),
}
ALLOWED = {200, 302, 400}  # 400: reached, but an empty POST is not a valid form
# Organizer pages that moderators may also read.
MODERATOR_READS = {"organizer:group_history"}


def _namespace_urls(namespace):
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == namespace:
            for pattern in entry.url_patterns:
                yield f"{namespace}:{pattern.name}"


def test_the_table_names_every_organizer_and_moderation_url():
    assert set(_namespace_urls("organizer")) | set(_namespace_urls("moderation")) == set(URLS)


@pytest.fixture
def objects(group_a):
    schedule = group_a.schedules.get()
    occurrence = group_a.occurrences.first()
    revision = ListingRevision.objects.create(
        group=group_a, kind="change", proposed={"name": "X"}, submitted_at="2026-01-01T00:00Z"
    )
    kwargs = {
        "group": {"group_pk": group_a.pk},
        "schedule": {"schedule_pk": schedule.pk},
        "occurrence": {"occurrence_pk": occurrence.pk},
        "revision": {"revision_pk": revision.pk},
    }
    return lambda kind: kwargs.get(kind)


def _request(client, name, objects):
    method, kind = URLS[name]
    url = reverse(name, kwargs=objects(kind))
    return getattr(client, method)(url)


def _walk(client, objects, expected) -> list[str]:
    """Request every URL; return "name: got X" for each answer that is not expected."""
    wrong = []
    for name in sorted(URLS):
        status = _request(client, name, objects).status_code
        if status not in expected(name):
            wrong.append(f"{name}: got {status}")
    return wrong


def test_anonymous_is_sent_to_sign_in_everywhere(client, objects):
    for name in sorted(URLS):
        response = _request(client, name, objects)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


@pytest.mark.parametrize("actor", ["case_worker_a", "case_worker_b"])
def test_case_workers_are_refused_everywhere(client, login, request, actor, objects):
    login(client, request.getfixturevalue(actor))
    assert _walk(client, objects, lambda name: {403}) == []


@pytest.mark.parametrize("actor", ["organizer_a", "org_admin"])
def test_own_organization_reaches_organizer_pages_but_not_moderation(
    client, login, request, actor, objects
):
    login(client, request.getfixturevalue(actor))
    expected = lambda name: {403} if name.startswith("moderation:") else ALLOWED  # noqa: E731
    assert _walk(client, objects, expected) == []


def test_another_organizations_objects_are_not_found(client, login, organizer_b, objects):
    login(client, organizer_b)

    def expected(name):
        if name.startswith("moderation:"):
            return {403}
        return {200} if URLS[name][1] is None else {404}  # their own dashboard and forms

    assert _walk(client, objects, expected) == []


def test_moderators_reach_moderation_and_history_only(client, login, moderator, objects):
    login(client, moderator)

    def expected(name):
        return ALLOWED if name.startswith("moderation:") or name in MODERATOR_READS else {403}

    assert _walk(client, objects, expected) == []


def test_an_organizer_of_an_agency_only_is_refused(client, login, case_worker_a):
    login(client, case_worker_a)
    assert client.get(reverse("organizer:dashboard")).status_code == 403


def test_an_inactive_membership_gives_no_access(client, login, organizer_a, group_a):
    organizer_a.memberships.update(is_active=False)
    login(client, organizer_a)
    assert client.get(reverse("organizer:group_manage", args=[group_a.pk])).status_code == 403


def test_another_organizations_objects_are_untouched_by_posts(
    client, login, organizer_b, group_a, commit, notified
):
    occurrence = group_a.occurrences.first()
    login(client, organizer_b)
    with commit():
        assert (
            client.post(
                reverse("organizer:occurrence_cancel", args=[occurrence.pk]), {"reason": "x"}
            ).status_code
            == 404
        )
        client.post(reverse("organizer:group_edit", args=[group_a.pk]), {"name": "Stolen"})
    occurrence.refresh_from_db()
    group_a.refresh_from_db()
    assert occurrence.status == "scheduled" and notified == []
    assert group_a.name == "Tuesday Evening Circle"


def test_an_organizer_in_two_providers_manages_both_and_picks_on_the_dashboard(
    client, login, organizer_a, provider_b
):
    from accounts.models import Membership

    Membership.objects.create(user=organizer_a, organization=provider_b, role="organizer")
    theirs = GroupFactory(organization=provider_b, name="Hillcrest Walkers")
    ScheduleFactory(group=theirs)
    login(client, organizer_a)
    assert client.get(reverse("organizer:group_manage", args=[theirs.pk])).status_code == 200
    default = client.get(reverse("organizer:dashboard")).content.decode()
    assert 'name="organization"' in default
    picked = client.get(reverse("organizer:dashboard"), {"organization": provider_b.pk})
    assert "Hillcrest Walkers" in picked.content.decode()
