"""The search benchmark behind `manage.py bench_search --groups 100000`.

Runs against the database the environment names (DATABASE_URL, or SQLITE_FILE),
which must have "bench" in its name: it empties and reloads the group table.
Reports, in one run: p50/p95 server time of the search page and the JSON API
through the full Django stack (test client), a trivial Django view (/healthz) as
the baseline, the search's SQL query alone, and requests/s of the search page and
of the trivial view under gunicorn with wrk (or a Python client) on 127.0.0.1.
Wall-clock and CPU time are both printed: on a shared machine the CPU time
(time.thread_time) is what the request itself cost.
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings

from accounts.models import Organization
from bench import synthetic
from groups import selectors
from groups.models import Group, Occurrence, Schedule

FILTERS = {"cost": "free,donation", "accessibility": "step_free", "ordering": "distance"}


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _ms(samples: list[float]) -> str:
    return f"p50 {_pct(samples, 50) * 1000:7.2f} ms  p95 {_pct(samples, 95) * 1000:7.2f} ms"


class Command(BaseCommand):
    help = "Load synthetic groups into a bench database and measure the search."

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=400, help="Timed requests each.")
        parser.add_argument("--seconds", type=int, default=10, help="Load test length each.")
        parser.add_argument(
            "--workers",
            type=int,
            default=3,
            help="gunicorn workers (default 3: what the Dockerfile and docker-compose.yml run).",
        )
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument(
            "--reload", action="store_true", help="Reload even if the size matches."
        )
        parser.add_argument("--no-load-test", action="store_true")
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="Load-test rounds, each the trivial view then the page (the ratio's median "
            "is reported: this machine's speed drifts by tens of percent within minutes).",
        )
        parser.add_argument("--json", help="Also write the figures to this file.")

    def handle(self, *args, **opts):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name:
            raise CommandError(
                f"Refusing to run against {name!r}: the database name must contain 'bench'."
            )
        self.stdout.write(f"== {connection.vendor} ({name}), {opts['groups']:,} groups ==")
        self.stdout.write(
            f"   load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        if connection.vendor == "postgresql":  # its cache decides how often a search waits
            with connection.cursor() as cursor:
                cursor.execute("SHOW shared_buffers")
                self.stdout.write(f"   PostgreSQL shared_buffers: {cursor.fetchone()[0]}")
        call_command("migrate", verbosity=0)
        self._ensure_rows(opts["groups"], opts["reload"])
        figures = {"database": connection.vendor, "groups": opts["groups"]}
        queries = self._queries(opts["requests"])
        figures.update(self._in_process(queries))
        figures.update(self._raw_sql(queries))
        if not opts["no_load_test"]:
            figures.update(self._under_load(queries, opts))
        figures["load_average_after"] = os.getloadavg()[0]
        self.stdout.write(f"   load average after: {figures['load_average_after']:.1f}")
        if opts["json"]:
            with open(opts["json"], "w") as fh:
                json.dump(figures, fh, indent=2)

    def _ensure_rows(self, n: int, reload: bool) -> None:
        if not reload and Group.objects.count() == n:
            self.stdout.write(f"  {n:,} groups already loaded")
            return
        started = time.monotonic()
        Occurrence.objects.all().delete()
        Schedule.objects.all().delete()
        table = connection.ops.quote_name(Group._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table} CASCADE")
            else:
                cursor.execute(f"DELETE FROM {table}")
        org, _ = Organization.objects.get_or_create(
            slug="bench", defaults={"name": "Bench", "kind": Organization.Kind.PROVIDER}
        )
        self.stdout.write(f"  loading {n:,} groups…")
        synthetic.load(n, org.pk, say=self.stdout.write)
        self.stdout.write(f"  loaded in {time.monotonic() - started:.1f} s")

    def _queries(self, n: int) -> list[str]:
        """Searches near real cities, weighted like the data: 25 km, 2 filters, by distance."""
        rng = random.Random(7)
        places = synthetic.cities()
        picks = rng.choices(places, weights=[p[3] for p in places], k=n)
        return [urlencode({"near": label, "radius_km": 25, **FILTERS}) for label, *_ in picks]

    def _in_process(self, queries: list[str]) -> dict:
        # The API's rate limit still runs (its cost is part of a request) but cannot refuse.
        with override_settings(KINDRED_RATE_LIMITS={"search-api": "1000000/s"}):
            return self._timed(queries)

    def _timed(self, queries: list[str]) -> dict:
        client = Client()
        for q in queries[:20]:  # warm up: gazetteer, templates, connection
            client.get("/?" + q)
            client.get("/api/groups/?" + q)
            client.get("/healthz")
        out = {}
        views = (
            ("page", "/?"),
            ("api", "/api/groups/?"),
            ("front", "/"),  # the front page: every group by next meeting, no place
            ("trivial", "/healthz"),
        )
        # The views take turns, search by search: this machine's speed drifts within a
        # minute, and timing each view in a block of its own measured the drift. Which
        # view goes first rotates, so no view alone meets each place's cold cache.
        samples = {label: ([], []) for label, _prefix in views}
        for i, q in enumerate(queries):
            for label, prefix in views[i % len(views) :] + views[: i % len(views)]:
                wall, cpu = samples[label]
                url = prefix + q if prefix.endswith("?") else prefix
                started, started_cpu = time.perf_counter(), time.thread_time()
                response = client.get(url)
                cpu.append(time.thread_time() - started_cpu)
                wall.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
        for label, (wall, cpu) in samples.items():
            out[f"{label}_p50_ms"] = _pct(wall, 50) * 1000
            out[f"{label}_p95_ms"] = _pct(wall, 95) * 1000
            out[f"{label}_cpu_p50_ms"] = _pct(cpu, 50) * 1000
            out[f"{label}_cpu_p95_ms"] = _pct(cpu, 95) * 1000
            self.stdout.write(
                f"  {label:<8} one client, in process: wall {_ms(wall)} | cpu {_ms(cpu)}"
            )
        return out

    def _raw_sql(self, queries: list[str]) -> dict:
        """The database's part of each search: every statement group_search runs, timed
        at the cursor (wall clock: on PostgreSQL it includes the server's work)."""
        statements: list[float] = []

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append(time.perf_counter() - started)

        for q in queries[:20]:
            selectors.group_search(params=QueryDict(q))
        per_search, slowest, counts = [], [], []
        with connection.execute_wrapper(timed):
            for q in queries:
                statements.clear()
                selectors.group_search(params=QueryDict(q))
                per_search.append(sum(statements))
                slowest.append(max(statements))
                counts.append(len(statements))
        self.stdout.write(f"  SQL, all statements of a search: wall {_ms(per_search)}")
        self.stdout.write(
            f"  SQL, slowest statement:          wall {_ms(slowest)} "
            f"({min(counts)}-{max(counts)} statements a search)"
        )
        return {
            "query_p50_ms": _pct(slowest, 50) * 1000,
            "query_p95_ms": _pct(slowest, 95) * 1000,
            "search_sql_p50_ms": _pct(per_search, 50) * 1000,
            "search_sql_p95_ms": _pct(per_search, 95) * 1000,
        }

    def _under_load(self, queries: list[str], opts) -> dict:
        port = _free_port()
        gunicorn = shutil.which("gunicorn") or os.path.join(
            os.path.dirname(sys.executable), "gunicorn"
        )
        proc = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(opts["workers"]),
                "--log-level",
                "warning",
            ],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_up(base + "/healthz")
            for q in queries[: 10 * opts["workers"]]:  # each worker loads the gazetteer once
                urllib.request.urlopen(f"{base}/?{q}", timeout=60).read()  # noqa: S310 - 127.0.0.1
            # A first, unmeasured run under load: each worker's first requests read the
            # database's pages and fill the per-process caches.
            _rate(base, ["/?" + q for q in queries], {**opts, "seconds": 2})
            rounds = []
            for _ in range(max(1, opts["rounds"])):
                trivial = _rate(base, ["/healthz"], opts)
                page = _rate(base, ["/?" + q for q in queries], opts)
                rounds.append((page / trivial if trivial else 0.0, page, trivial))
                self.stdout.write(
                    f"  under load ({opts['workers']} gunicorn workers, "
                    f"{opts['connections']} connections): search page {page:,.0f} req/s, "
                    f"trivial view {trivial:,.0f} req/s, ratio {rounds[-1][0]:.1%}"
                )
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        ratio, page, trivial = sorted(rounds)[len(rounds) // 2]
        self.stdout.write(
            f"  under load, median of {len(rounds)} rounds: ratio {ratio:.1%} "
            f"(page {page:,.0f} req/s : trivial {trivial:,.0f} req/s; "
            f"range {min(rounds)[0]:.1%}-{max(rounds)[0]:.1%})"
        )
        return {
            "page_rps": page,
            "trivial_rps": trivial,
            "ratio": ratio,
            "ratios": [r for r, _p, _t in rounds],
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - 127.0.0.1
            return
        except OSError:
            time.sleep(0.3)
    raise CommandError("gunicorn did not start")


def _rate(base: str, paths: list[str], opts) -> float:
    wrk = shutil.which("wrk")
    if wrk:
        return _rate_wrk(wrk, base, paths, opts)
    return _rate_threads(base, paths, opts)


_WRK_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = (i %% #paths) + 1
  return wrk.format("GET", paths[i])
end
"""


def _rate_wrk(wrk: str, base: str, paths: list[str], opts) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "paths.txt")
        with open(listing, "w") as fh:
            fh.write("\n".join(paths))
        script = os.path.join(tmp, "paths.lua")
        with open(script, "w") as fh:
            fh.write(_WRK_SCRIPT % listing)
        result = subprocess.run(
            [
                wrk,
                "-t",
                "2",
                "-c",
                str(opts["connections"]),
                "-d",
                f"{opts['seconds']}s",
                "-s",
                script,
                base + "/",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    for line in result.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise CommandError("wrk printed no rate:\n" + result.stdout)


def _rate_threads(base: str, paths: list[str], opts) -> float:
    import http.client

    port = int(base.rsplit(":", 1)[1])
    stop = time.monotonic() + opts["seconds"]
    counts = []

    def worker(offset: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < stop:
            conn.request("GET", paths[(offset + n) % len(paths)])
            conn.getresponse().read()
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(opts["connections"])]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)
