"""Small, valid HSDS 3.0 services for feed tests, and a local HTTP server to serve them."""

import http.server
import json
import threading
from contextlib import contextmanager
from pathlib import Path


def hsds_service(n: int, **overrides) -> dict:
    """A valid service at one physical location in Springfield, IL, meeting weekly."""
    sid = f"svc-{n}"
    service = {
        "id": sid,
        "name": f"Peer Support Circle {n}",
        "description": "A friendly peer-led group for people living with depression.",
        "status": "active",
        "url": "https://example.org/groups",
        "languages": [{"id": f"{sid}-lang", "code": "en", "name": "English"}],
        "cost_options": [{"id": f"{sid}-cost", "option": "Free", "amount": 0}],
        "attributes": [
            {
                "id": f"{sid}-attr",
                "taxonomy_term_id": "t-dep",
                "taxonomy_term": {"id": "t-dep", "name": "Depression", "description": "x"},
            }
        ],
        "schedules": [
            {
                "id": f"{sid}-sched",
                "freq": "WEEKLY",
                "byday": "TU",
                "dtstart": "2026-01-06",
                "opens_at": "18:00:00",
                "closes_at": "19:30:00",
            }
        ],
        "service_at_locations": [
            {
                "id": f"{sid}-sal",
                "location": {
                    "id": f"{sid}-loc",
                    "location_type": "physical",
                    "name": "Community Center",
                    "latitude": 39.80 + n * 1e-4,
                    "longitude": -89.64,
                    "addresses": [
                        {
                            "id": f"{sid}-addr",
                            "address_1": f"{100 + n} Main Street",
                            "city": "Springfield",
                            "state_province": "IL",
                            "postal_code": "62701",
                            "country": "US",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }
    service.update(overrides)
    return service


def write_json(path: Path, services: list) -> Path:
    path.write_text(json.dumps(services), encoding="utf-8")
    return path


@contextmanager
def serve(folder: Path, routes: dict | None = None):
    """An http.server on 127.0.0.1, port 0, serving folder.

    routes maps a path to (status, headers) for answers that are not files.
    """
    routes = routes or {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self):  # noqa: N802 - http.server's naming
            route = routes.get(self.path.split("?")[0])
            if route:
                status, headers = route
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                return
            if "?page=" in self.path:
                page = self.path.split("?page=")[1]
                self.path = self.path.split("?")[0] + f".page{page}"
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
