"""Fault script: reminders are never lost when workers die and Redis restarts.

    .venv/bin/python bench/reminders_faults.py [--count 10000] [--kills 4]

10,000 reminders due now; two Celery worker nodes and a beat process against
PostgreSQL and our OWN redis-server on a free port (the machine's shared Redis
is never touched). While they send, it kill -9s a worker several times in the
middle of batches (alternately one pool process, and a whole node that is then
restarted) and restarts Redis once (losing every queued task: no persistence).
The counting email backend is the provider's record. Reports lost (must be 0)
and duplicates (a kill landing between the provider's acceptance and the
commit); exits 1 if anything was lost.
"""

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import DEFAULT_DATABASE_URL, django_on  # noqa: E402
from bench.reminders_harness import (  # noqa: E402
    OwnRedis,
    children,
    kill_group,
    provider_record,
    seed_due_reminders,
    service_env,
    start_beat,
    start_worker,
    stop,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--lease-seconds", type=int, default=15)
    parser.add_argument("--delay", type=float, default=0.002, help="seconds per message")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kindred-faults-"))
    redis = OwnRedis(workdir).start()
    processes = []
    try:
        django_on(args.database_url, redis.url)
        from groups.models import Reminder

        ids = seed_due_reminders(args.count)
        email_file = workdir / "provider.log"
        env = service_env(
            database_url=args.database_url,
            redis_url=redis.url,
            email_file=email_file,
            REMINDERS_BATCH_SIZE=args.batch_size,
            REMINDERS_LEASE_SECONDS=args.lease_seconds,
            REMINDERS_DISPATCH_SECONDS=2,
            KINDRED_COUNTING_EMAIL_DELAY=args.delay,
        )
        log = workdir / "celery.log"
        beat = start_beat(env, schedule=workdir / "beat", log=log)
        workers = [start_worker(env, name=f"fault-{i}", log=log) for i in range(2)]
        processes += [beat, *workers]

        # Faults spread over 5%..80% of the run; Redis restarts between two kills.
        marks = [0.05 + 0.75 * i / max(args.kills - 1, 1) for i in range(args.kills)]
        faults = [(m, "kill") for m in marks] + [(0.4, "redis")]
        faults.sort()
        started = time.monotonic()
        kills = 0
        events = []

        def sent() -> int:
            # The tables were emptied at start: every row is ours (no 10,000-id IN list).
            return Reminder.objects.filter(state=Reminder.State.SENT).count()

        while time.monotonic() - started < args.timeout:
            done = sent()
            if done == len(ids):
                break
            if faults and done >= faults[0][0] * len(ids):
                _, fault = faults.pop(0)
                if fault == "redis":
                    redis.restart(down_seconds=2)
                    events.append(
                        f"{time.monotonic() - started:6.1f}s  {done:>6} sent  Redis restarted"
                    )
                else:
                    victim = kills % 2
                    if kills % 2 == 0:
                        pool = children(workers[victim].pid)
                        for pid in pool:
                            os.kill(pid, signal.SIGKILL)
                        what = f"kill -9 pool process(es) {pool} of worker {victim}"
                    else:
                        kill_group(workers[victim])
                        workers[victim] = start_worker(env, name=f"fault-{victim}-{kills}", log=log)
                        processes.append(workers[victim])
                        what = f"kill -9 whole worker {victim} (restarted)"
                    kills += 1
                    events.append(f"{time.monotonic() - started:6.1f}s  {done:>6} sent  {what}")
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        time.sleep(3)  # let any straggling duplicate land before counting

        record = provider_record(email_file)
        wanted = set(ids)
        delivered = wanted & set(record)
        not_sent_in_db = len(ids) - sent()
        lost = len(wanted - delivered)
        duplicates = sum(n - 1 for i, n in record.items() if i in wanted)
        failed = Reminder.objects.filter(state=Reminder.State.FAILED).count()
        print("\n".join(events))
        print(
            f"reminders: {len(ids)}  kills: {kills}  redis restarts: 1  elapsed: {elapsed:.1f}s\n"
            f"delivered: {len(delivered)}  lost: {lost}  not marked sent: {not_sent_in_db}  "
            f"failed: {failed}  duplicates: {duplicates}"
        )
        return 1 if lost or not_sent_in_db else 0
    finally:
        for proc in processes:
            stop(proc)
        redis.stop()


if __name__ == "__main__":
    sys.exit(main())
