"""Client fields are encrypted at rest; keys rotate without losing anything."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from referrals.fields import decrypt_text, encrypt_text
from referrals.models import Consent, Referral
from tests.referrals.conftest import CANARY_EMAIL, CANARY_NAME

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def _raw_row(referral_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_name, contact_value, notes FROM referrals_referral WHERE id = %s",
            [referral_id],
        )
        return cursor.fetchone()


def test_round_trip_gives_back_the_plain_text(make_referral, case_worker_a, group_a):
    referral = make_referral(
        case_worker=case_worker_a, group=group_a, name=CANARY_NAME, contact_value=CANARY_EMAIL
    )
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.client_name == CANARY_NAME
    assert fresh.contact_value == CANARY_EMAIL


def test_raw_sql_read_shows_no_client_data(make_referral, case_worker_a, group_a):
    referral = make_referral(
        case_worker=case_worker_a, group=group_a, name=CANARY_NAME, contact_value=CANARY_EMAIL
    )
    raw = _raw_row(referral.pk)
    assert all(value.startswith("gAAAAA") for value in raw)
    assert CANARY_NAME not in repr(raw) and CANARY_EMAIL not in repr(raw)


def test_database_dump_shows_no_client_name(make_referral, case_worker_a, group_a):
    make_referral(
        case_worker=case_worker_a, group=group_a, name=CANARY_NAME, contact_value=CANARY_EMAIL
    )
    out = io.StringIO()
    call_command("dumpdata", "referrals", stdout=out)
    dump = out.getvalue()
    assert '"client_name": "gAAAAA' in dump
    assert CANARY_NAME not in dump and CANARY_EMAIL not in dump


def test_dump_loads_back_to_the_same_plain_text(make_referral, case_worker_a, group_a):
    from django.core import serializers

    referral = make_referral(case_worker=case_worker_a, group=group_a, name=CANARY_NAME)
    dumped = serializers.serialize("json", [referral])
    (loaded,) = serializers.deserialize("json", dumped)
    assert loaded.object.client_name == CANARY_NAME


def test_rotation_reencrypts_with_the_newest_key(settings, make_referral, case_worker_a, group_a):
    settings.KINDRED_FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    referral = make_referral(
        case_worker=case_worker_a,
        group=group_a,
        name=CANARY_NAME,
        method=Consent.Method.SIGNED_ON_SCREEN,
    )
    before = _raw_row(referral.pk)

    settings.KINDRED_FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_referral_keys", stdout=io.StringIO())
    after = _raw_row(referral.pk)
    assert after != before

    # With the old key gone, everything still reads.
    settings.KINDRED_FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.client_name == CANARY_NAME
    assert Fernet(NEW_KEY.encode()).decrypt(after[0].encode()).decode() == CANARY_NAME
    # A second run changes nothing it cannot read.
    call_command("rotate_referral_keys", stdout=io.StringIO())
    assert Referral.objects.get(pk=referral.pk).notes == referral.notes


def test_an_old_key_alone_cannot_read_rotated_data(settings):
    settings.KINDRED_FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypt_text("secret")
    settings.KINDRED_FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidToken
        decrypt_text(token)


def test_empty_values_stay_empty(make_referral, case_worker_a, group_a):
    referral = make_referral(case_worker=case_worker_a, group=group_a, notes="")
    assert _raw_row(referral.pk)[2] == ""
