"""The moderation queue, the side-by-side review and the decision emails."""

import pytest
from django.urls import reverse
from django.utils import timezone

from config.emails import build_email
from groups.models import ListingRevision
from groups.organizer.listing import listing_snapshot
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db


def _pending(group, **proposed):
    snapshot = listing_snapshot(group)
    return ListingRevision.objects.create(
        group=group,
        kind="change",
        proposed={**snapshot, **proposed},
        published=snapshot,
        submitted_at=timezone.now(),
    )


def test_queue_lists_pending_revisions_oldest_first_in_few_queries(
    client, login, moderator, provider_a, django_assert_max_num_queries
):
    for n in range(8):
        _pending(GroupFactory(organization=provider_a, name=f"Group {n}"), name=f"New {n}")
    login(client, moderator)
    with django_assert_max_num_queries(
        11
    ):  # +5 per request for the session, user, second factor and staff timeout
        html = client.get(reverse("moderation:queue")).content.decode()
    assert html.index("Group 0") < html.index("Group 7")
    assert "Change to a published listing" in html


def test_review_marks_changed_rows_and_shows_labels_for_both_sides(
    client, login, moderator, group_a
):
    revision = _pending(group_a, cost="sliding_scale", languages=["en", "ase"])
    html = (
        login(client, moderator)
        .get(reverse("moderation:revision_review", args=[revision.pk]))
        .content.decode()
    )
    assert "Free" in html and "Sliding scale" in html
    assert "English, American Sign Language" in html
    assert html.count('class="changed"') == 2


def test_a_new_listing_is_reviewed_field_by_field(client, login, moderator, provider_a):
    group = GroupFactory(organization=provider_a, status="pending", topics=("grief",))
    revision = ListingRevision.objects.create(
        group=group, kind="new", proposed=listing_snapshot(group), submitted_at=timezone.now()
    )
    html = (
        login(client, moderator)
        .get(reverse("moderation:revision_review", args=[revision.pk]))
        .content.decode()
    )
    assert "Grief and loss" in html and "Approve and publish" in html


@pytest.mark.parametrize(
    "template",
    [
        "moderation/email/listing_approved",
        "moderation/email/listing_sent_back",
        "organizer/email/verification_reminder",
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_email_renders_subject_text_and_html(group_a, template, language):
    revision = _pending(group_a, name="Other")
    revision.note = "Please add the floor."
    message = build_email(
        to=["o@example.org"],
        template=template,
        context={"group": group_a, "revision": revision, "days": 90},
        language=language,
    )
    assert group_a.name in message.subject
    assert "988" in message.body
    assert reverse("organizer:dashboard") in message.body or str(group_a.pk) in message.body
    assert message.alternatives[0][1] == "text/html"
