"""The canary guard itself: it must notice a leak, or the whole-suite promise is empty."""

import logging

from tests import conftest
from tests.canaries import CANARY_CLIENT_NAME, CANARY_EMAIL, CANARY_PHONE, canaries_in


def test_guard_catches_a_canary_in_any_log_record_and_in_task_messages():
    handler = conftest._CANARY_HANDLER
    before = len(handler.hits)
    try:
        logging.getLogger("groups.some_module").debug("sent to %s", CANARY_EMAIL)
        try:
            raise ValueError(CANARY_CLIENT_NAME)
        except ValueError:
            logging.getLogger("django.request").error("boom", exc_info=True)
        conftest._canary_task_check(sender="referrals.notify", body=((), {"phone": "3125550187"}))
        assert len(handler.hits) - before == 3
    finally:
        del handler.hits[before:]  # the leak was planted on purpose


def test_canaries_are_recognised_in_any_case():
    assert canaries_in(f"x {CANARY_EMAIL.upper()} y") == [CANARY_EMAIL]
    assert CANARY_PHONE in canaries_in(CANARY_PHONE)
