"""Real processes for the reminder fault tests and benchmarks: Redis, Celery workers, beat.

Used by bench/reminders_faults.py, bench/reminders_throughput.py and
tests/groups/reminders/test_processes.py. Everything binds 127.0.0.1; a Redis
started here is our own, on a free port, never the machine's shared one.
"""

import collections
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "config"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class OwnRedis:
    """A throwaway redis-server on a free port (no persistence), restartable."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.port = port or free_port()
        self.workdir = Path(workdir)
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "redis-server"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=10, what="redis-server")
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self, down_seconds: float = 1.0):
        self.stop()
        time.sleep(down_seconds)
        self.start()


def service_env(*, database_url: str, redis_url: str, email_file: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_BACKEND="groups.reminders.counting_backend.FileCountingEmailBackend",
        KINDRED_COUNTING_EMAIL_FILE=str(email_file),
        KINDRED_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_worker(env: dict, *, name: str, concurrency: int = 1, log: Path | None = None):
    """A Celery worker node in its own process group (so kill -9 takes all of it)."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - lives with the process
    return subprocess.Popen(
        [
            *CELERY,
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "-n",
            f"{name}@%h",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_beat(env: dict, *, schedule: Path, log: Path | None = None):
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [*CELERY, "beat", "--schedule", str(schedule), "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def kill_group(proc) -> None:
    """kill -9 a process and everything in its process group."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def stop(proc, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        kill_group(proc)


def rss_kb(pid: int, field: str = "VmHWM") -> int:
    """Resident memory of a process in kB (VmHWM: its peak so far)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def provider_record(email_file: Path) -> collections.Counter:
    """How many times the provider accepted each reminder id."""
    if not Path(email_file).exists():
        return collections.Counter()
    ids = Path(email_file).read_text().split()
    return collections.Counter(int(i) for i in ids if i.isdigit())


def seed_due_reminders(count: int, *, due_at=None, starts_in_minutes: int = 100) -> list[int]:
    """One group with one meeting and `count` confirmed subscribers whose reminder is due.

    The meeting is a one-off schedule in UTC, so the hourly occurrence refresh
    recognizes it and leaves it (and its reminder rows) alone. Needs Django set up.
    """
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Organization
    from groups.models import Group, Location, Occurrence, Reminder, ReminderSubscription, Schedule

    now = timezone.now()
    due_at = due_at or now
    starts_at = (now + timedelta(minutes=starts_in_minutes)).replace(second=0, microsecond=0)
    suffix = f"{time.time_ns()}"
    org = Organization.objects.create(
        name=f"Bench provider {suffix}", slug=f"bench-{suffix}", kind=Organization.Kind.PROVIDER
    )
    location = Location.objects.create(
        name="Library", address_1="1 Main St", city="Springfield", region="IL", postcode="62701"
    )
    group = Group.objects.create(
        organization=org,
        name="Bench Circle",
        description="x",
        format="in_person",
        what_to_expect="You can just listen.",
        status=Group.Status.PUBLISHED,
        location=location,
    )
    schedule = Schedule.objects.create(
        group=group,
        rrule="",
        start_date=starts_at.date(),
        start_time=starts_at.time(),
        duration_minutes=60,
        time_zone="UTC",
    )
    occurrence = Occurrence.objects.create(
        group=group,
        schedule=schedule,
        original_starts_at=starts_at,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=60),
    )
    subs = ReminderSubscription.objects.bulk_create(
        [
            ReminderSubscription(
                group=group,
                email=f"bench{i}@example.org",
                address_key=f"{suffix}-{i}",
                timing="two_hours",
                confirmed_at=now - timedelta(days=1),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    rows = Reminder.objects.bulk_create(
        [
            Reminder(subscription=sub, occurrence=occurrence, kind="two_hours", due_at=due_at)
            for sub in subs
        ],
        batch_size=2000,
    )
    return [row.pk for row in rows]
