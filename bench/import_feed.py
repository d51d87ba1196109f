"""Benchmark: an HSDS 3.0 JSON feed of N services imported into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kindred_bench_feeds \\
        .venv/bin/python bench/import_feed.py --services 100000

Phases, each in its own process so its peak memory (max RSS) is its own:
  1. full import of a fresh feed into an empty directory;
  2. re-import of the same, unchanged feed;
  3. re-import with 1% of the services changed.
The feed is written first, streaming, by a separate process. Occurrence materialization
is not part of the import: the pipeline queues it as a Celery task after commit, so the
benchmark turns it off and reports the import alone.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(
    os.environ.get("KINDRED_BENCH_DIR") or Path(tempfile.gettempdir()) / "kindred-bench-feeds"
)
TOPICS = ["Depression", "Anxiety", "Grief", "Bipolar", "Veterans", "Young adults", "Recovery"]
CITIES = [(41.88, -87.63, "Chicago", "IL", "60601"), (39.74, -104.99, "Denver", "CO", "80202")]
CITIES += [(47.61, -122.33, "Seattle", "WA", "98101"), (29.76, -95.37, "Houston", "TX", "77002")]


def service(n: int, changed: bool = False) -> dict:
    rng = random.Random(n)
    lat, lng, city, state, postcode = CITIES[n % len(CITIES)]
    sid = f"svc-{n:07d}"
    name = f"Support group {n}" + (" (new time)" if changed else "")
    return {
        "id": sid,
        "name": name,
        "description": "A peer-led group. " * rng.randint(2, 8),
        "status": "active",
        "url": f"https://partner.example.org/groups/{n}",
        "email": "groups@partner.example.org",
        "languages": [{"id": f"{sid}-l", "code": rng.choice(["en", "es", "vi", "eng"])}],
        "cost_options": [{"id": f"{sid}-c", "option": "Free", "amount": 0}],
        "attributes": [
            {
                "id": f"{sid}-a",
                "taxonomy_term_id": f"t{n % 7}",
                "taxonomy_term": {"id": f"t{n % 7}", "name": TOPICS[n % 7], "description": "-"},
            }
        ],
        "schedules": [
            {
                "id": f"{sid}-s",
                "freq": "WEEKLY",
                "byday": rng.choice(["MO", "TU", "WE", "TH"]),
                "dtstart": "2026-01-05",
                "opens_at": "19:00:00" if changed else "18:00:00",
                "closes_at": "20:30:00" if changed else "19:30:00",
            }
        ],
        "service_at_locations": [
            {
                "id": f"{sid}-sal",
                "location": {
                    "id": f"{sid}-loc",
                    "location_type": "physical",
                    "name": "Community room",
                    "latitude": lat + rng.uniform(-0.3, 0.3),
                    "longitude": lng + rng.uniform(-0.3, 0.3),
                    "addresses": [
                        {
                            "id": f"{sid}-ad",
                            "address_1": f"{n % 9000 + 1} Main St",
                            "city": city,
                            "state_province": state,
                            "postal_code": postcode,
                            "country": "US",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }


def write_feed(path: Path, count: int, changed_every: int = 0) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for n in range(count):
            if n:
                out.write(",\n")
            changed = bool(changed_every) and n % changed_every == 0
            out.write(json.dumps(service(n, changed)))
        out.write("]\n")


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def phase_import(feed: Path) -> None:
    """Runs in a child process: one import, then prints the report as JSON."""
    _setup_django()
    from groups.feeds.pipeline import feed_import
    from groups.models import Partner

    partner = Partner.objects.get(slug="bench")
    started = time.perf_counter()
    run = feed_import(
        partner_id=partner.pk, trigger="command", source=str(feed), refresh_occurrences=False
    )
    seconds = time.perf_counter() - started
    fields = ["status", "message", "records_seen", "created", "updated", "unchanged", "rejected"]
    print(json.dumps({"seconds": seconds, **{f: getattr(run, f) for f in fields}}))


def phase_reset() -> None:
    _setup_django()
    from django.core.management import call_command

    from accounts.models import Organization
    from groups.models import Group, Location, Partner

    call_command("migrate", verbosity=0)
    Group.objects.filter(partner__slug="bench").delete()
    Location.objects.filter(groups__isnull=True).delete()
    Partner.objects.filter(slug="bench").delete()
    org, _ = Organization.objects.get_or_create(
        slug="bench", defaults={"name": "Bench provider", "kind": "provider"}
    )
    Partner.objects.create(
        name="Bench",
        slug="bench",
        organization=org,
        format="hsds-json",
        time_zone="America/Chicago",
    )


def _child(*args) -> tuple[str, int, float]:
    """Run this script in a child process; returns its stdout, peak RSS (KiB), CPU seconds."""
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child {args[0]} failed ({proc.returncode})")
    return out, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("phase", nargs="?", default="all")
    parser.add_argument("feed", nargs="?")
    args = parser.parse_args()
    if args.phase == "import":
        phase_import(Path(args.feed))
        return
    if args.phase == "reset":
        phase_reset()
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the benchmark PostgreSQL database.")
    WORK.mkdir(parents=True, exist_ok=True)
    feed, changed = WORK / "feed.json", WORK / "feed-1pct.json"
    started = time.perf_counter()
    write_feed(feed, args.services)
    write_feed(changed, args.services, changed_every=100)
    size = feed.stat().st_size / 1e6
    took = time.perf_counter() - started
    print(f"feed: {args.services:,} services, {size:.0f} MB, written in {took:.0f} s")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    _child("reset")
    for label, path in (
        ("full import", feed),
        ("unchanged re-import", feed),
        ("1% changed", changed),
    ):
        out, rss, cpu = _child("import", str(path))
        report = json.loads(out.strip().splitlines()[-1])
        print(
            f"{label:>20}: {report['seconds']:6.1f} s wall, {cpu:6.1f} s CPU (importer), "
            f"peak RSS {rss / 1024:5.0f} MB  "
            f"status={report['status']} created={report['created']} updated={report['updated']} "
            f"unchanged={report['unchanged']} rejected={report['rejected']} {report['message']}"
        )


if __name__ == "__main__":
    main()
