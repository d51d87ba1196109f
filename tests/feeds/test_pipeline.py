"""The import pipeline end to end, on files and on a local HTTP server."""

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from groups.feeds.lock import partner_claim, partner_release
from groups.feeds.pipeline import feed_import
from groups.models import FeedRecord, Group, ImportRun, PartnerFeedState
from tests.factories import PartnerFactory
from tests.feeds.builders import hsds_service, serve, write_json

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
EXAMPLES = (SHARED if SHARED.is_dir() else Path("/work/shared")) / "data" / "hsds-3.0" / "examples"

pytestmark = pytest.mark.django_db


def _import(partner, path, **kwargs):
    return feed_import(
        partner_id=partner.pk, trigger=ImportRun.Trigger.COMMAND, source=str(path), **kwargs
    )


@pytest.fixture
def partner():
    return PartnerFactory()


def test_import_creates_published_groups_with_location_schedule_and_vocabularies(
    partner, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    feed = write_json(tmp_path / "f.json", [hsds_service(1), hsds_service(2)])
    with django_capture_on_commit_callbacks(execute=True):
        run = _import(partner, feed)
    assert run.status == ImportRun.Status.SUCCEEDED, run.message
    assert (run.created, run.updated, run.rejected) == (2, 0, 0)
    group = Group.objects.get(partner=partner, external_id="svc-1")
    assert group.status == Group.Status.PUBLISHED
    assert group.source == Group.Source.FEED
    assert group.organization == partner.organization
    assert group.format == "in_person"
    assert group.languages == ("en",)
    assert group.topics == ("depression",)
    assert group.cost == "free"
    assert group.location.city == "Springfield"
    assert group.grid_cell is not None
    schedule = group.schedules.get()
    assert (schedule.rrule, str(schedule.start_time)) == ("FREQ=WEEKLY;BYDAY=TU", "18:00:00")
    assert schedule.time_zone == "America/Chicago"
    assert schedule.duration_minutes == 90
    assert group.occurrences.exists()  # occurrences_refresh ran after commit


def test_unchanged_feed_does_nothing_the_second_time(partner, tmp_path):
    path = write_json(tmp_path / "f.json", [hsds_service(1)])
    _import(partner, path)
    before = Group.objects.get().updated_at
    run = _import(partner, path)
    assert run.status == ImportRun.Status.UNCHANGED
    assert Group.objects.get().updated_at == before


def test_changed_record_is_updated_and_unchanged_records_are_skipped(partner, tmp_path):
    _import(partner, write_json(tmp_path / "a.json", [hsds_service(1), hsds_service(2)]))
    changed = [hsds_service(1, name="Renamed circle"), hsds_service(2)]
    run = _import(partner, write_json(tmp_path / "b.json", changed))
    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    assert Group.objects.get(external_id="svc-1").name == "Renamed circle"


def test_listing_that_left_the_feed_is_archived_never_deleted(partner, tmp_path):
    _import(partner, write_json(tmp_path / "a.json", [hsds_service(n) for n in range(1, 5)]))
    run = _import(partner, write_json(tmp_path / "b.json", [hsds_service(n) for n in range(1, 4)]))
    assert run.archived == 1
    gone = Group.objects.get(external_id="svc-4")
    assert gone.status == Group.Status.ARCHIVED
    assert Group.objects.count() == 4
    run = _import(partner, write_json(tmp_path / "c.json", [hsds_service(n) for n in range(1, 5)]))
    assert Group.objects.get(external_id="svc-4").status == Group.Status.PUBLISHED


def _snapshot():
    return sorted(
        Group.objects.values_list("external_id", "name", "status", "description", "updated_at")
    )


def test_feed_with_too_many_invalid_records_is_rejected_whole(partner, tmp_path):
    _import(partner, write_json(tmp_path / "a.json", [hsds_service(n) for n in range(10)]))
    before = _snapshot()
    services = [hsds_service(n, name="Changed") for n in range(7)] + [
        {"id": f"bad-{n}"} for n in range(3)
    ]
    run = _import(partner, write_json(tmp_path / "b.json", services))
    assert run.status == ImportRun.Status.REJECTED
    assert "30%" in run.message
    assert run.rejected_records.count() == 3
    assert _snapshot() == before


def test_feed_that_shrinks_by_more_than_half_is_rejected_whole(partner, tmp_path):
    _import(partner, write_json(tmp_path / "a.json", [hsds_service(n) for n in range(10)]))
    before = _snapshot()
    run = _import(partner, write_json(tmp_path / "b.json", [hsds_service(n) for n in range(4)]))
    assert run.status == ImportRun.Status.REJECTED
    assert _snapshot() == before


def test_thresholds_are_settings(partner, tmp_path, settings):
    settings.KINDRED_FEED_MIN_KEPT_SHARE = 0.1
    _import(partner, write_json(tmp_path / "a.json", [hsds_service(n) for n in range(10)]))
    run = _import(partner, write_json(tmp_path / "b.json", [hsds_service(n) for n in range(4)]))
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.archived == 6


def test_a_second_import_of_the_same_partner_is_skipped_while_one_runs(partner, tmp_path):
    assert partner_claim(partner_id=partner.pk)
    assert not partner_claim(partner_id=partner.pk)
    run = _import(partner, write_json(tmp_path / "a.json", [hsds_service(1)]))
    assert run.status == ImportRun.Status.SKIPPED
    assert not Group.objects.exists()
    partner_release(partner_id=partner.pk)
    assert _import(partner, tmp_path / "a.json").status == ImportRun.Status.SUCCEEDED


def test_lock_is_released_after_a_failed_import(partner, tmp_path):
    (tmp_path / "bad.json").write_text("[{", encoding="utf-8")
    run = _import(partner, tmp_path / "bad.json")
    assert run.status == ImportRun.Status.FAILED
    assert PartnerFeedState.objects.get(partner=partner).running_since is None


def test_dry_run_reports_counts_and_changes_nothing(partner, tmp_path):
    run = _import(partner, write_json(tmp_path / "a.json", [hsds_service(1)]), dry_run=True)
    assert run.status == ImportRun.Status.DRY_RUN
    assert run.created == 1
    assert not Group.objects.exists()


def test_fields_the_partner_does_not_own_keep_the_organizers_edit(partner, tmp_path):
    _import(partner, write_json(tmp_path / "a.json", [hsds_service(1)]))
    state = PartnerFeedState.objects.get(partner=partner)
    state.owned_fields = [f for f in state.owned_fields if f != "description"]
    state.save()
    Group.objects.filter(external_id="svc-1").update(description="Edited by the organizer")
    changed = hsds_service(1, name="New name", description="Partner's new words")
    _import(partner, write_json(tmp_path / "b.json", [changed]))
    group = Group.objects.get(external_id="svc-1")
    assert group.name == "New name"
    assert group.description == "Edited by the organizer"


def test_script_and_javascript_links_never_reach_the_directory(partner, tmp_path):
    bad = hsds_service(
        1,
        description='<script>alert(1)</script>Hello <b>there</b> <a href="javascript:x">x</a>',
        url="javascript:alert(1)",
    )
    _import(partner, write_json(tmp_path / "a.json", [bad]))
    group = Group.objects.get()
    assert "<" not in group.description and "alert" not in group.description
    assert group.description.startswith("Hello there")
    assert group.website == ""


def test_virtual_location_becomes_an_online_group(partner, tmp_path):
    service = hsds_service(1)
    service["service_at_locations"][0]["location"] = {
        "id": "v1",
        "location_type": "virtual",
        "url": "https://meet.example.org/room",
    }
    _import(partner, write_json(tmp_path / "a.json", [service]))
    group = Group.objects.get()
    assert group.format == "online"
    assert group.online_url == "https://meet.example.org/room"


def test_unmappable_values_are_kept_as_text_and_counted(partner, tmp_path):
    service = hsds_service(1, languages=[{"id": "l", "name": "Klingon", "code": "tlh"}])
    run = _import(partner, write_json(tmp_path / "a.json", [service]))
    assert run.unmapped["language"] == {"Klingon": 1}
    assert Group.objects.get().languages_other == "Klingon"
    assert "Klingon" in FeedRecord.objects.get().unmapped_text


def test_numeric_utc_offset_becomes_wall_time_in_partner_zone(partner, tmp_path):
    service = hsds_service(1)
    service["schedules"][0].update(opens_at="00:00:00", closes_at="01:00:00", timezone=0)
    _import(partner, write_json(tmp_path / "a.json", [service]))
    schedule = Group.objects.get().schedules.get()
    assert str(schedule.start_time) == "18:00:00"  # UTC midnight is 6 pm in Chicago in January
    assert schedule.time_zone == "America/Chicago"


def test_ndjson_and_page_envelope_are_read(partner, tmp_path):
    lines = "\n".join(json.dumps(hsds_service(n)) for n in range(3)) + "\n"
    (tmp_path / "a.ndjson").write_text(lines, encoding="utf-8")
    assert _import(partner, tmp_path / "a.ndjson").created == 3
    page = {
        "total_items": 4,
        "total_pages": 1,
        "page_number": 1,
        "contents": [hsds_service(n) for n in range(4)],
    }
    (tmp_path / "p.json").write_text(json.dumps(page), encoding="utf-8")
    run = _import(partner, tmp_path / "p.json")
    assert (run.created, run.unchanged) == (1, 3)


def test_paginated_api_is_followed_over_http(partner, tmp_path, settings):
    settings.KINDRED_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    for page in (1, 2, 3):
        body = {
            "total_items": 6,
            "total_pages": 3,
            "page_number": page,
            "contents": [hsds_service(page * 10 + i) for i in range(2)],
        }
        name = "services" if page == 1 else f"services.page{page}"
        (tmp_path / name).write_text(json.dumps(body), encoding="utf-8")
    with serve(tmp_path) as base:
        run = _import(partner, f"{base}/services")
    assert run.status == ImportRun.Status.SUCCEEDED, run.message
    assert run.created == 6


def test_host_not_on_the_allow_list_is_refused(partner, tmp_path, settings):
    settings.KINDRED_FEED_ALLOWED_HOSTS = ["feeds.example.org"]
    write_json(tmp_path / "f.json", [hsds_service(1)])
    with serve(tmp_path) as base:
        run = _import(partner, f"{base}/f.json")
    assert run.status == ImportRun.Status.FAILED
    assert "KINDRED_FEED_ALLOWED_HOSTS" in run.message


def test_redirect_to_a_host_not_allowed_is_refused(partner, tmp_path, settings):
    settings.KINDRED_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    routes = {"/moved": (302, {"Location": "http://evil.example.net/feed.json"})}
    with serve(tmp_path, routes) as base:
        run = _import(partner, f"{base}/moved")
    assert run.status == ImportRun.Status.FAILED
    assert "evil.example.net" in run.message


def test_feed_over_the_byte_cap_stops_at_the_cap(partner, tmp_path, settings):
    settings.KINDRED_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.KINDRED_FEED_MAX_BYTES = 2048
    write_json(tmp_path / "big.json", [hsds_service(n) for n in range(20)])
    with serve(tmp_path) as base:
        run = _import(partner, f"{base}/big.json")
    assert run.status == ImportRun.Status.FAILED
    assert "limit" in run.message


def test_server_error_page_is_reported(partner, tmp_path, settings):
    settings.KINDRED_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    with serve(tmp_path, {"/down": (503, {})}) as base:
        run = _import(partner, f"{base}/down")
    assert run.status == ImportRun.Status.FAILED
    assert "503" in run.message


def test_hsds_example_data_package_folder_and_zip_are_read(partner, tmp_path):
    run = _import(partner, EXAMPLES / "csv", format="hsds-datapackage")
    # The official example's location sits at latitude 100: reported, not imported.
    assert run.records_seen == 1
    assert "outside the globe" in run.rejected_records.get().reason
    package = tmp_path / "pkg.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for csv_file in (EXAMPLES / "csv").iterdir():
            text = csv_file.read_text(encoding="utf-8")
            if csv_file.name == "locations.csv":
                text = text.replace(",100,101,", ",39.8,-89.6,")
            archive.writestr(f"export/{csv_file.name}", text)
    run = _import(partner, package, format="hsds-datapackage")
    assert run.status == ImportRun.Status.SUCCEEDED, run.message
    group = Group.objects.get(partner=partner)
    assert group.name == "Community Counselling"
    assert group.location.latitude == 39.8
    assert group.schedules.exists()


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:grief-circle@example.org
SUMMARY:Grief support circle
DESCRIPTION:A circle for anyone grieving.
LOCATION:Library meeting room
DTSTART;TZID=America/Denver:20260106T183000
DTEND;TZID=America/Denver:20260106T200000
RRULE:FREQ=WEEKLY;BYDAY=TU
EXDATE;TZID=America/Denver:{exdate}
END:VEVENT
BEGIN:VEVENT
UID:bad-zone@example.org
SUMMARY:Somewhere
DTSTART;TZID=Mars/Olympus:20260106T183000
END:VEVENT
END:VCALENDAR
"""


def test_icalendar_events_become_groups_with_rrule_zone_and_cancelled_exdates(tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    partner = PartnerFactory(format="ical")
    today = timezone.localdate()
    next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    ics = ICS.replace("{exdate}", next_tuesday.strftime("%Y%m%dT183000"))
    (tmp_path / "cal.ics").write_text(ics.replace("\n", "\r\n"), encoding="utf-8")
    settings_share = 0.6
    from django.test import override_settings

    with override_settings(KINDRED_FEED_MAX_INVALID_SHARE=settings_share):
        run = _import(partner, tmp_path / "cal.ics")
    assert run.status == ImportRun.Status.SUCCEEDED, run.message
    assert "time zone" in run.rejected_records.get().reason
    group = Group.objects.get(partner=partner)
    schedule = group.schedules.get()
    assert (schedule.rrule, schedule.time_zone) == ("FREQ=WEEKLY;BYDAY=TU", "America/Denver")
    assert schedule.duration_minutes == 90
    cancelled = group.occurrences.filter(status="cancelled")
    assert [o.local_start().date() for o in cancelled] == [next_tuesday]


def test_import_feed_command_prints_a_summary(partner, tmp_path, capsys):
    path = write_json(tmp_path / "a.json", [hsds_service(1)])
    call_command("import_feed", str(path), "--partner", partner.slug)
    out = capsys.readouterr().out
    assert "created 1" in out
    with pytest.raises(CommandError):
        call_command("import_feed", str(tmp_path / "missing.json"), "--partner", partner.slug)


def test_missing_hsds_schemas_fail_the_run_with_a_clear_message(partner, tmp_path, settings):
    from groups.feeds import validate

    feed = write_json(tmp_path / "a.json", [hsds_service(1)])
    settings.KINDRED_HSDS_SCHEMA_DIR = tmp_path / "nowhere"
    for cached in (validate.load_schema, validate.validator, validate.fast_validator):
        cached.cache_clear()
    try:
        run = _import(partner, feed)
    finally:
        for cached in (validate.load_schema, validate.validator, validate.fast_validator):
            cached.cache_clear()
    assert run.status == ImportRun.Status.FAILED
    assert "KINDRED_HSDS_SCHEMA_DIR" in run.message
    assert not Group.objects.exists()


def test_hsds_1_1_data_package_with_regular_schedules_is_read(partner):
    sample = EXAMPLES.parent.parent / "hsds-extra" / "sample-HSDS-datapackage-v1" / "all_resources"
    run = _import(partner, sample, format="hsds-datapackage")
    assert run.status == ImportRun.Status.SUCCEEDED, run.message
    assert run.created == 13
    helpline = Group.objects.get(partner=partner, name="Never Homeless Helpline")
    assert helpline.languages == ("en", "es")
    assert helpline.location.city == "New York City"
    rules = sorted(helpline.schedules.values_list("rrule", flat=True))
    assert rules == ["FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=WE"]
    assert str(helpline.schedules.first().start_time) == "09:00:00"
