"""Benchmark: 100,000 reminders due at the same minute, two worker processes.

    .venv/bin/python bench/reminders_throughput.py [--count 100000]

Seeds the reminders (due a few seconds after the workers are up) in our own
PostgreSQL database, starts our OWN redis-server on a free port, two Celery
worker nodes of one pool process each, and beat. At the due time it queues
`reminders.dispatch_due` once, exactly as beat's every-minute tick does.
Email goes to the counting backend (in memory, like Django's locmem backend:
each message is built, nothing leaves the machine). Prints the time from the
due time until every reminder is marked sent, and the peak resident memory of
each worker process (VmHWM). Target: under 5 minutes, under 300 MB.
"""

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import DEFAULT_DATABASE_URL, django_on  # noqa: E402
from bench.reminders_harness import (  # noqa: E402
    OwnRedis,
    children,
    provider_record,
    rss_kb,
    seed_due_reminders,
    service_env,
    start_beat,
    start_worker,
    stop,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kindred-throughput-"))
    redis = OwnRedis(workdir).start()
    processes = []
    try:
        django_on(args.database_url, redis.url)
        from django.utils import timezone

        from config.celery import app
        from groups.models import Reminder

        seeded = time.monotonic()
        ids = seed_due_reminders(args.count, due_at=timezone.now() + timedelta(days=1))
        print(f"seeded {len(ids)} reminders in {time.monotonic() - seeded:.1f}s")
        email_file = workdir / "provider.log"
        env = service_env(
            database_url=args.database_url,
            redis_url=redis.url,
            email_file=email_file,
            REMINDERS_BATCH_SIZE=args.batch_size,
        )
        log = workdir / "celery.log"
        processes.append(start_beat(env, schedule=workdir / "beat", log=log))
        workers = [start_worker(env, name=f"bench-{i}", log=log) for i in range(2)]
        processes += workers

        # Every reminder falls due at the same moment, once the workers are up.
        due_at = timezone.now() + timedelta(seconds=15)
        Reminder.objects.update(due_at=due_at)
        while timezone.now() < due_at:
            time.sleep(0.05)
        started = time.monotonic()
        app.send_task("reminders.dispatch_due")  # beat's tick at the due minute

        def pids():
            return [p for w in workers for p in [w.pid, *children(w.pid)]]

        peak = {}
        while time.monotonic() - started < args.timeout:
            for pid in pids():
                peak[pid] = max(peak.get(pid, 0), rss_kb(pid))
            done = Reminder.objects.filter(state=Reminder.State.SENT).count()  # only ours here
            if done == len(ids):
                break
            time.sleep(1)
        elapsed = time.monotonic() - started
        record = provider_record(email_file)
        duplicates = sum(n - 1 for n in record.values())
        pool = {p: kb for p, kb in peak.items() if p not in {w.pid for w in workers}}
        print(
            f"reminders: {len(ids)}  all sent after: {elapsed:.1f}s from the due time  "
            f"({len(ids) / elapsed:.0f}/s)\n"
            f"delivered: {len(record)}  duplicates: {duplicates}\n"
            f"peak RSS per worker pool process: "
            + ", ".join(f"{kb / 1024:.0f} MB" for kb in pool.values())
            + "\npeak RSS per worker main process: "
            + ", ".join(f"{peak[w.pid] / 1024:.0f} MB" for w in workers)
        )
        return 0 if done == len(ids) else 1
    finally:
        for proc in processes:
            stop(proc)
        redis.stop()


if __name__ == "__main__":
    sys.exit(main())
