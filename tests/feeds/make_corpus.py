"""Writes tests/feeds/corpus/: malformed partner feeds and what each must report.

Run from the repository root: `.venv/bin/python tests/feeds/make_corpus.py`. The files
are committed; this script says how each was made. Every feed (except whole-file
failures) carries the same ten good services as the baseline the test imports first,
plus what is wrong, so the per-record handling is exercised, not only the thresholds.
expected.json maps each file to the run status it must end with and a phrase its
report (message, rejected reasons, warnings or kept-as-text categories) must contain.
"""

import io
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.feeds.builders import hsds_service  # noqa: E402

OUT = HERE / "corpus"
EXPECTED: dict[str, list[str]] = {}
GOOD = [hsds_service(n) for n in range(10)]


def emit(name: str, data, status: str, phrase: str = "") -> None:
    path = OUT / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    EXPECTED[name] = [status, phrase]


def feed(*extra, good=GOOD) -> bytes:
    return json.dumps(list(good) + list(extra)).encode("utf-8")


def bad(n: int, **changes) -> dict:
    service = hsds_service(n)
    for key, value in changes.items():
        if value is _DELETE:
            del service[key]
        else:
            service[key] = value
    return service


_DELETE = object()


def located(n: int, **location) -> dict:
    service = hsds_service(n)
    service["service_at_locations"][0]["location"].update(location)
    return service


def scheduled(n: int, **fields) -> dict:
    service = hsds_service(n)
    service["schedules"][0].update(fields)
    return service


def json_corpus() -> None:
    ok, failed, rejected = "succeeded", "failed", "rejected"
    emit("json-empty.json", b"", failed, "empty")
    emit("json-whitespace-only.json", b"  \n\t\n ", failed, "empty")
    emit("json-bom.json", b"\xef\xbb\xbf" + feed(), ok)
    emit("json-utf16.json", feed().decode().encode("utf-16"), failed, "UTF-16")
    latin = json.dumps([*GOOD, bad(50, name="Café de la Paix")], ensure_ascii=False)
    latin = latin.encode("latin-1")
    emit("json-latin1.json", latin, failed, "UTF-8")
    emit("json-truncated.json", feed()[:-200], failed, "cut off")
    lines = [json.dumps(s) for s in GOOD] + ['{"id": "svc-99", "name": "Cut']
    emit("json-ndjson-truncated-line.ndjson", "\n".join(lines) + "\n", ok, "not valid JSON")
    html = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    emit("json-html-error-page.json", html, failed, "HTML")
    emit("json-xml.json", '<?xml version="1.0"?><services/>', failed, "HTML or XML")
    emit("json-plain-text.json", "Service Unavailable", failed, "does not start like JSON")
    emit("json-top-level-string.json", '"hello"', failed, "does not start like JSON")
    emit("json-top-level-number.json", "42", failed, "does not start like JSON")
    emit("json-null.json", "null", failed, "does not start like JSON")
    emit("json-array-of-strings.json", json.dumps(["a", "b", "c"]), rejected, "JSON object")
    emit("json-empty-array.json", "[]", rejected, "no records")
    emit(
        "json-empty-page.json",
        json.dumps({"total_pages": 1, "page_number": 1, "contents": []}),
        rejected,
        "no records",
    )
    emit(
        "json-page-contents-not-array.json",
        json.dumps({"page_number": 1, "contents": {}}),
        rejected,
        "no records",
    )
    emit("json-duplicate-ids.json", feed(hsds_service(0)), ok, "more than once")
    emit("json-all-duplicates.json", json.dumps([hsds_service(0)] * 10), rejected, "more than once")
    emit("json-missing-id.json", feed(bad(50, id=_DELETE)), ok, "'id' is a required property")
    emit("json-missing-name.json", feed(bad(50, name=_DELETE)), ok, "'name' is a required")
    emit("json-name-is-number.json", feed(bad(50, name=12345)), ok, "is not of type 'string'")
    emit("json-id-is-number.json", feed(bad(50, id=50)), ok, "is not of type 'string'")
    emit("json-invalid-status.json", feed(bad(50, status="open-ish")), ok, "is not one of")
    emit("json-null-record.json", feed(None), ok, "JSON object")
    emit("json-very-long-id.json", feed(bad(50, id="x" * 300)), ok, "no usable id")
    emit("json-empty-name.json", feed(bad(50, name="   ")), ok, "no name")
    emit(
        "json-latitude-out-of-range.json",
        feed(located(50, latitude=200.0)),
        ok,
        "outside the globe",
    )
    emit(
        "json-swapped-coordinates.json",
        feed(located(50, latitude=-122.4, longitude=37.7)),
        ok,
        "look swapped",
    )
    emit(
        "json-swapped-coordinates-us.json",
        feed(located(50, latitude=-89.64, longitude=39.8)),
        ok,
        "United States",
    )
    emit("json-zero-zero.json", feed(located(50, latitude=0.0, longitude=0.0)), ok, "0,0")
    emit(
        "json-coordinates-as-strings.json",
        feed(located(50, latitude="39.8")),
        ok,
        "is not of type 'number'",
    )
    emit(
        "json-coordinate-overflow.json",
        feed().replace(b'"longitude": -89.64', b'"longitude": 1e400', 1),
        failed,
        "overflow",
    )
    emit(
        "json-nan-literal.json",
        feed().replace(b'"longitude": -89.64', b'"longitude": NaN', 1),
        failed,
        "not valid JSON",
    )
    emit(
        "json-location-type-invalid.json",
        feed(located(50, location_type="spaceship")),
        ok,
        "is not one of",
    )
    emit(
        "json-sal-not-array.json",
        feed(bad(50, service_at_locations={"id": "x"})),
        ok,
        "is not of type 'array'",
    )
    emit("json-timezone-offset-absurd.json", feed(scheduled(50, timezone=99)), ok, "schedule")
    emit("json-opens-at-invalid.json", feed(scheduled(50, opens_at="25:99")), ok, "schedule")
    emit("json-freq-daily.json", feed(scheduled(50, freq="DAILY")), ok, "is not one of")
    emit("json-byday-garbage.json", feed(scheduled(50, byday="XX,YY")), ok, "schedule")
    emit("json-rrule-without-end.json", feed(scheduled(50)), ok)
    emit(
        "json-until-before-start.json", feed(scheduled(50, until="2001-01-01")), ok, "ending before"
    )
    emit("json-count-huge.json", feed(scheduled(50, count=10**9)), ok)
    emit("json-dtstart-not-a-date.json", feed(scheduled(50, dtstart="next tuesday")), ok)
    emit("json-huge-description.json", feed(bad(50, description="A" * 2_000_000)), ok, "shortened")
    emit("json-huge-name.json", feed(bad(50, name="N" * 10_000)), ok, "shortened")
    script = '<script>document.location="https://evil.example"</script><p onclick="x()">Hi</p>'
    emit("json-script-in-description.json", feed(bad(50, description=script)), ok)
    emit("json-javascript-url.json", feed(bad(50, url="javascript:alert(1)")), ok, "not http(s)")
    emit(
        "json-data-uri-url.json",
        feed(bad(50, url="data:text/html,<script>x</script>")),
        ok,
        "not http(s)",
    )
    virtual = hsds_service(50)
    virtual["service_at_locations"][0]["location"] = {
        "id": "v",
        "location_type": "virtual",
        "url": "javascript:alert(document.cookie)",
    }
    emit("json-javascript-online-link.json", feed(virtual), ok)
    emit("json-html-entities-name.json", feed(bad(50, name="&lt;b&gt;Bold&lt;/b&gt; group")), ok)
    emit("json-control-characters.json", feed(bad(50, name="Tab\x07Bell\x00Null group")), ok)
    emit(
        "json-unknown-language.json",
        feed(bad(50, languages=[{"id": "l", "code": "tlh", "name": "Klingon"}])),
        ok,
        "language",
    )
    emit("json-bad-email.json", feed(bad(50, email="not an email <script>")), ok)
    emit("json-negative-cost.json", feed(bad(50, cost_options=[{"id": "c", "amount": -5}])), ok)
    emit(
        "json-duplicate-keys.json",
        feed().replace(b'"name": "Peer Support Circle 1"', b'"name": "A", "name": "B"', 1),
        ok,
    )
    emit(
        "json-thirty-percent-invalid.json",
        json.dumps(GOOD[:7] + [{"id": f"b{i}"} for i in range(3)]),
        rejected,
        "30%",
    )
    emit("json-shrunk-by-more-than-half.json", json.dumps(GOOD[:3]), rejected, "fewer than")
    emit(
        "json-invalid-utf8-in-string.json",
        feed().replace(b"Circle 3", b"Circle \xff\xfe 3", 1),
        failed,
        "UTF-8",
    )
    emit("json-deep-nesting.json", "[" * 3000 + "]" * 3000, rejected, "nested too deeply")
    mixed = "\n".join([json.dumps(s) for s in GOOD] + ["", "not json", "[1,2]"]) + "\n"
    emit("json-ndjson-mixed-junk.ndjson", mixed, ok, "not valid JSON")


def ical_event(
    uid: str, extra: str = "", start="DTSTART;TZID=America/Chicago:20260106T183000"
) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SUMMARY:Circle {uid}",
        start,
        "DTEND;TZID=America/Chicago:20260106T200000" if "DTSTART" in start else "",
        "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=200",
        extra,
        "END:VEVENT",
    ]
    return "\r\n".join(line for line in lines if line)


def calendar(*events: str) -> str:
    body = "\r\n".join([ical_event(f"ev-{n}") for n in range(10)] + list(events))
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kindred corpus//EN"
    return f"{head}\r\n{body}\r\nEND:VCALENDAR\r\n"


def ical_corpus() -> None:
    ok, failed = "succeeded", "failed"
    emit("ical-baseline.ics.txt", calendar(), "baseline")
    emit("ical-empty.ics", "", failed, "empty")
    emit("ical-html-error-page.ics", "<html><body>404</body></html>", failed, "HTML")
    emit("ical-not-a-calendar.ics", "BEGIN:VCARD\r\nEND:VCARD\r\n", failed, "not an iCalendar")
    emit(
        "ical-unknown-tzid.ics",
        calendar(ical_event("x", start="DTSTART;TZID=Mars/Olympus:20260106T183000")),
        ok,
        "time zone",
    )
    emit("ical-rrule-without-end.ics", calendar(ical_event("x").replace(";COUNT=200", "")), ok)
    emit("ical-no-uid.ics", calendar(ical_event("").replace("UID:\r\n", "")), ok, "UID")
    emit("ical-no-dtstart.ics", calendar(ical_event("x", start="X-NOTHING:1")), ok, "DTSTART")
    emit(
        "ical-ends-before-start.ics",
        calendar(ical_event("x").replace("T200000", "T100000")),
        ok,
        "minutes",
    )
    emit(
        "ical-secondly-rrule.ics",
        calendar(ical_event("x").replace("FREQ=WEEKLY;BYDAY=TU", "FREQ=SECONDLY")),
        ok,
        "repeat",
    )
    emit(
        "ical-script-in-description.ics",
        calendar(ical_event("x", "DESCRIPTION:<script>alert(1)</script>Hi")),
        ok,
    )
    emit(
        "ical-latin1.ics",
        calendar(ical_event("x", "DESCRIPTION:Caf\u00e9")).encode("latin-1"),
        failed,
        "UTF-8",
    )
    emit("ical-bom.ics", b"\xef\xbb\xbf" + calendar().encode(), ok)
    emit(
        "ical-exdate-and-cancelled-override.ics",
        calendar(ical_event("x", "EXDATE;TZID=America/Chicago:20260113T183000")),
        ok,
    )
    emit("ical-floating-time.ics", calendar(ical_event("x", start="DTSTART:20260106T183000")), ok)


def zipped(files: dict[str, bytes], name: str, status: str, phrase: str = "") -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    emit(name, buffer.getvalue(), status, phrase)


def package_files(services=None) -> dict[str, bytes]:
    services = services if services is not None else GOOD
    rows = ["id,name,description,status,url"]
    locations = ["id,location_type,name,latitude,longitude"]
    sal = ["id,service_id,location_id"]
    for s in services:
        rows.append(f'{s["id"]},"{s["name"]}","{s["description"]}",{s["status"]},{s["url"]}')
        loc = s["service_at_locations"][0]["location"]
        locations.append(f"{loc['id']},physical,{loc['name']},{loc['latitude']},{loc['longitude']}")
        sal.append(f"{s['id']}-sal,{s['id']},{loc['id']}")
    descriptor = {"name": "corpus", "resources": [{"name": "services", "path": "services.csv"}]}
    return {
        "datapackage.json": json.dumps(descriptor).encode(),
        "services.csv": ("\n".join(rows) + "\n").encode(),
        "locations.csv": ("\n".join(locations) + "\n").encode(),
        "service_at_location.csv": ("\n".join(sal) + "\n").encode(),
    }


def package_corpus() -> None:
    ok, failed = "succeeded", "failed"
    zipped(package_files(), "pkg-baseline.zip.txt", "baseline")
    files = package_files()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
        archive.writestr("padding.csv", b"0" * 50_000_000)
    emit("pkg-zip-bomb.zip", bomb.getvalue(), failed, "zip bomb")
    zipped(
        {k: v for k, v in files.items() if k != "datapackage.json"},
        "pkg-no-datapackage.zip",
        failed,
        "no datapackage.json",
    )
    emit("pkg-not-a-zip.zip", "id,name\n1,x\n", failed, "neither a zip")
    zipped(
        {k: v for k, v in files.items() if k != "services.csv"},
        "pkg-no-services.zip",
        failed,
        "no services.csv",
    )
    latin = dict(
        files,
        **{"services.csv": files["services.csv"] + "x1,Caf\u00e9,d,active,\n".encode("latin-1")},
    )
    zipped(latin, "pkg-latin1-csv.zip", failed, "not UTF-8")
    zipped(
        dict(files, **{"services.csv": b"\xef\xbb\xbf" + files["services.csv"]}),
        "pkg-bom-csv.zip",
        ok,
    )
    zipped(
        dict(files, **{"datapackage.json": b"{not json"}),
        "pkg-bad-descriptor.zip",
        failed,
        "not valid JSON",
    )
    zipped({f"nested/dir/{k}": v for k, v in files.items()}, "pkg-nested-folder.zip", ok)
    zipped({f"../../{k}": v for k, v in files.items()}, "pkg-path-traversal-names.zip", ok)
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    emit("pkg-truncated.zip", whole.getvalue()[: len(whole.getvalue()) // 2], failed, "")
    bad_lat = dict(files)
    bad_lat["locations.csv"] = files["locations.csv"] + b"zz,physical,Nowhere,north,west\n"
    bad_lat["service_at_location.csv"] = files["service_at_location.csv"] + b"zz-sal,svc-0,zz\n"
    zipped(bad_lat, "pkg-coordinates-not-numbers.zip", ok, "")
    ragged = dict(files, **{"services.csv": files["services.csv"] + b'x2,"unterminated,d,active\n'})
    zipped(ragged, "pkg-unterminated-quote.zip", ok, "")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    json_corpus()
    ical_corpus()
    package_corpus()
    (OUT / "expected.json").write_text(json.dumps(EXPECTED, indent=1, sort_keys=True) + "\n")
    cases = [k for k, v in EXPECTED.items() if v[0] != "baseline"]
    print(f"{len(cases)} malformed feeds written to {OUT}")


if __name__ == "__main__":
    main()
