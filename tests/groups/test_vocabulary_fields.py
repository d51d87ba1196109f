import pytest
from django.core.exceptions import ValidationError

from groups.models import Group
from groups.vocabularies import ACCESSIBILITY, ALL
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db


def test_codes_round_trip_through_the_database_in_vocabulary_order():
    group = GroupFactory(accessibility=["quiet_room", "step_free"])
    group.refresh_from_db()
    assert group.accessibility == ("step_free", "quiet_room")


def test_has_any_is_or_within_a_filter():
    step_free = GroupFactory(accessibility=["step_free"])
    loop = GroupFactory(accessibility=["hearing_loop", "captions"])
    GroupFactory(accessibility=["childcare"])
    found = Group.objects.filter(accessibility__has_any=["step_free", "hearing_loop"])
    assert set(found) == {step_free, loop}


def test_has_all_needs_every_code():
    both = GroupFactory(accessibility=["step_free", "hearing_loop"])
    GroupFactory(accessibility=["step_free"])
    found = Group.objects.filter(accessibility__has_all=["step_free", "hearing_loop"])
    assert list(found) == [both]


def test_filters_combine_as_and_across_fields():
    match = GroupFactory(accessibility=["step_free"], languages=["es"])
    GroupFactory(accessibility=["step_free"], languages=["en"])
    found = Group.objects.filter(accessibility__has_any=["step_free"], languages__has_any=["es"])
    assert list(found) == [match]


def test_unknown_code_is_a_validation_error_not_a_crash():
    group = GroupFactory.build(accessibility=["teleporter"])
    with pytest.raises(ValidationError):
        group.full_clean(exclude=["organization", "location"])


def test_every_vocabulary_has_unique_codes_and_fits_in_a_bigint():
    for vocabulary in ALL.values():
        assert len(set(vocabulary.codes)) == len(vocabulary.codes)
        assert len(vocabulary.codes) <= 63


def test_mask_round_trip():
    codes = ("step_free", "hearing_loop", "childcare")
    assert ACCESSIBILITY.from_mask(ACCESSIBILITY.to_mask(codes)) == codes
