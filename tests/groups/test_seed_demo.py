"""`manage.py seed_demo` loads a realistic, deterministic directory."""

import pytest
from django.core.management import call_command

from accounts.models import User
from groups.models import Group, Occurrence

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_groups_in_many_areas_online_and_accounts(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    in_person = Group.objects.exclude(format__in=("online", "phone"))
    assert in_person.count() >= 300
    assert Group.objects.filter(format__in=("online", "phone")).count() == 40
    assert in_person.values("location__region").distinct().count() >= 5
    assert Group.objects.filter(latitude__isnull=False).count() == in_person.count()
    assert Occurrence.objects.exists()
    assert Group.objects.filter(next_meeting_at__isnull=False).count() == Group.objects.count()
    assert len({g.cost for g in Group.objects.all()}) == 4
    assert User.objects.filter(is_staff=True, email__startswith="moderator@").exists()
    assert "kindred-demo-password" in out
    first = list(Group.objects.order_by("pk").values_list("name", flat=True)[:20])

    call_command("seed_demo", "--if-empty")
    assert "already present" in capsys.readouterr().out
    assert Group.objects.count() == 340
    assert first == list(Group.objects.order_by("pk").values_list("name", flat=True)[:20])


def test_every_topic_has_demo_words_for_who_the_group_is_for():
    from groups.demo import TOPIC_AUDIENCE
    from groups.vocabularies import TOPICS

    assert set(TOPIC_AUDIENCE) == set(TOPICS.codes)
    assert not any("affected by" in words or "_" in words for words in TOPIC_AUDIENCE.values())
