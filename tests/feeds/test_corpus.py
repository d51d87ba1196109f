"""Every malformed feed in tests/feeds/corpus/: no crash, a clear report, nothing lost.

The corpus and its expectations are written by tests/feeds/make_corpus.py.
"""

import json
from pathlib import Path

import pytest

from groups.feeds.pipeline import feed_import
from groups.models import Group, ImportRun
from tests.factories import PartnerFactory
from tests.feeds.builders import hsds_service, write_json

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
CASES = sorted(name for name, (status, _phrase) in EXPECTED.items() if status != "baseline")
FORMATS = {"json": "hsds-json", "ical": "ical", "pkg": "hsds-datapackage"}

pytestmark = pytest.mark.django_db


def test_corpus_has_at_least_sixty_malformed_feeds():
    assert len(CASES) >= 60


def _baseline(partner, kind: str, tmp_path: Path) -> None:
    if kind == "json":
        source = write_json(tmp_path / "baseline.json", [hsds_service(n) for n in range(10)])
    elif kind == "ical":
        source = tmp_path / "baseline.ics"
        source.write_bytes((CORPUS / "ical-baseline.ics.txt").read_bytes())
    else:
        source = tmp_path / "baseline.zip"
        source.write_bytes((CORPUS / "pkg-baseline.zip.txt").read_bytes())
    run = feed_import(partner_id=partner.pk, trigger="command", source=str(source))
    assert run.status == ImportRun.Status.SUCCEEDED, run.message
    assert run.created == 10


def _snapshot(partner):
    return sorted(
        Group.objects.filter(partner=partner).values_list(
            "external_id", "name", "description", "status", "updated_at", "location_id"
        )
    )


def _report_text(run: ImportRun) -> str:
    parts = [run.message, *run.rejected_records.values_list("reason", flat=True)]
    parts += list(run.warnings) + list(run.unmapped)
    return "\n".join(parts)


@pytest.mark.parametrize("name", CASES)
def test_malformed_feed_is_reported_and_loses_nothing(name, tmp_path):
    kind = name.split("-", 1)[0]
    partner = PartnerFactory(format=FORMATS[kind])
    _baseline(partner, kind, tmp_path)
    before = _snapshot(partner)
    status, phrase = EXPECTED[name]

    run = feed_import(partner_id=partner.pk, trigger="command", source=str(CORPUS / name))

    report = _report_text(run)
    assert run.status == status, f"{run.status}: {report}"
    assert phrase in report
    if run.status != ImportRun.Status.SUCCEEDED:
        assert run.message, "a feed that changed nothing must say why"
        assert _snapshot(partner) == before
    after = {row[0]: row for row in _snapshot(partner)}
    assert {row[0] for row in before} <= set(after), "listings are archived, never deleted"
    for group in Group.objects.filter(partner=partner):
        assert "<script" not in group.description.lower()
        assert not group.website.lower().startswith(("javascript:", "data:"))
        assert not group.online_url.lower().startswith(("javascript:", "data:"))
