"""Reliability with real processes: PostgreSQL, Redis, Celery workers and beat (not eager).

Small versions of bench/reminders_faults.py so the suite stays fast: 300
reminders and one kill -9; two beat processes; Redis down while people sign up.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from bench.reminders_harness import (
    ROOT,
    OwnRedis,
    children,
    free_port,
    kill_group,
    provider_record,
    seed_due_reminders,
    service_env,
    start_beat,
    start_worker,
    stop,
    wait_for,
)
from groups.models import Reminder, ReminderSubscription
from tests.factories import GroupFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

FAST = {
    "REMINDERS_BATCH_SIZE": 20,
    "REMINDERS_LEASE_SECONDS": 8,
    "REMINDERS_DISPATCH_SECONDS": 1,
}


def _test_database_url() -> str:
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path="/" + connection.settings_dict["NAME"]).geturl()


@pytest.fixture
def own_redis_db():
    """The test's Redis db (REDIS_URL), emptied of tasks left by earlier runs."""
    import redis

    url = os.environ["REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def processes():
    started = []
    yield started
    for proc in reversed(started):
        kill_group(proc)  # no graceful shutdown needed; the Redis db is flushed


def _sent(ids) -> int:
    return Reminder.objects.filter(pk__in=ids, state=Reminder.State.SENT).count()


def test_worker_killed_mid_batch_loses_no_reminder(tmp_path, own_redis_db, processes):
    ids = seed_due_reminders(300)
    email_file = tmp_path / "provider.log"
    env = service_env(
        database_url=_test_database_url(),
        redis_url=own_redis_db,
        email_file=email_file,
        KINDRED_COUNTING_EMAIL_DELAY=0.01,
        **FAST,
    )
    processes.append(start_beat(env, schedule=tmp_path / "beat"))
    worker = start_worker(env, name="reminders-a", concurrency=2, log=tmp_path / "worker.log")
    processes.append(worker)

    wait_for(
        lambda: sum(provider_record(email_file).values()) >= 60, timeout=90, what="first sends"
    )
    pool = children(worker.pid)
    assert pool, "the worker has pool processes"
    os.kill(pool[0], signal.SIGKILL)  # kill -9 one pool process in the middle of a batch

    wait_for(lambda: _sent(ids) == len(ids), timeout=120, interval=0.5, what="all sent")
    record = provider_record(email_file)
    assert set(record) == set(ids)  # nothing lost
    duplicates = sum(n - 1 for n in record.values())
    assert duplicates <= 1  # only a kill between the provider's acceptance and the commit


def test_two_beat_processes_by_mistake_send_nothing_twice(tmp_path, own_redis_db, processes):
    ids = seed_due_reminders(300)
    email_file = tmp_path / "provider.log"
    env = service_env(
        database_url=_test_database_url(),
        redis_url=own_redis_db,
        email_file=email_file,
        **{**FAST, "REMINDERS_DISPATCH_SECONDS": 0.3},
    )
    processes.append(start_beat(env, schedule=tmp_path / "beat-1"))
    processes.append(start_beat(env, schedule=tmp_path / "beat-2"))
    processes.append(start_worker(env, name="reminders-b", concurrency=2))

    wait_for(lambda: _sent(ids) == len(ids), timeout=120, interval=0.5, what="all sent")
    time.sleep(2)  # more dispatch rounds from both beats: still nothing new
    record = provider_record(email_file)
    assert set(record) == set(ids)
    assert max(record.values()) == 1


def _runserver(env, port):
    return subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_with_redis_stopped_pages_and_form_work_and_request_is_sent_once_back(tmp_path, processes):
    group = GroupFactory()
    redis_port = free_port()  # nothing listens here yet: Redis is "stopped"
    email_file = tmp_path / "provider.log"
    env = service_env(
        database_url=_test_database_url(),
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        email_file=email_file,
        **FAST,
    )
    web_port = free_port()
    processes.append(_runserver(env, web_port))
    base = f"http://127.0.0.1:{web_port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def get(path):
        return opener.open(base + path, timeout=10)

    wait_for(lambda: _quietly(get, "/healthz"), timeout=30, what="web server")
    started = time.monotonic()
    assert get(f"/groups/{group.pk}/").status == 200
    form = get(f"/groups/{group.pk}/remind/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "email": "ana@example.org",
            "meetings": "all",
            "timing": "day_before",
        }
    ).encode()
    request = urllib.request.Request(
        base + f"/groups/{group.pk}/remind/", data=data, headers={"Referer": base + "/"}
    )
    response = opener.open(request, timeout=10)
    assert response.status == 200 and response.url.endswith("/reminders/check-your-email/")
    assert time.monotonic() - started < 8  # never waited long on the dead broker

    subscription = ReminderSubscription.objects.get()
    confirmation = subscription.reminders.get(kind=Reminder.Kind.CONFIRMATION)
    assert confirmation.state == Reminder.State.PENDING  # stored, waiting for the broker

    redis = OwnRedis(tmp_path, port=redis_port).start()
    try:
        processes.append(start_beat(env, schedule=tmp_path / "beat"))
        processes.append(start_worker(env, name="reminders-c"))
        wait_for(lambda: provider_record(email_file), timeout=60, what="confirmation sent")
        assert provider_record(email_file) == {confirmation.pk: 1}
    finally:
        for proc in processes:
            stop(proc)
        redis.stop()


def _quietly(get, path):
    try:
        return get(path).status == 200
    except OSError:
        return False
