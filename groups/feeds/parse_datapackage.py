"""The HSDS 3.0 Tabular Data Package: datapackage.json and one CSV per object.

A folder or a zip. services.csv is streamed; the child tables (locations, schedules,
languages, ...) are indexed by their parent id in memory, bounded by the feed's byte
cap. Zips are read member by member with a running count of inflated bytes, so a zip
bomb stops at the cap instead of filling the disk or the memory.
"""

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings

from groups.feeds.records import FeedParseError, RawRecord
from groups.feeds.validate import load_schema

MAX_RATIO = 200  # inflated / compressed, per member, beyond which a zip is refused
csv.field_size_limit(16 * 1024 * 1024)

# child table -> (parent key column, key in the nested service object)
SERVICE_CHILDREN = {
    "schedules.csv": ("service_id", "schedules"),
    "languages.csv": ("service_id", "languages"),
    "cost_options.csv": ("service_id", "cost_options"),
    "phones.csv": ("service_id", "phones"),
    "contacts.csv": ("service_id", "contacts"),
}
SCHEMA_OF = {
    "services.csv": "service.json",
    "service_at_location.csv": "service_at_location.json",
    "locations.csv": "location.json",
    "addresses.csv": "address.json",
    "schedules.csv": "schedule.json",
    "languages.csv": "language.json",
    "cost_options.csv": "cost_option.json",
    "phones.csv": "phone.json",
    "contacts.csv": "contact.json",
    "accessibility.csv": "accessibility.json",
    "attributes.csv": "attribute.json",
    "taxonomy_terms.csv": "taxonomy_term.json",
    "organizations.csv": "organization.json",
}


class _Package:
    """Reads member files of a folder or zip with a shared inflated-bytes budget."""

    def __init__(self, path: Path):
        self.budget = settings.KINDRED_FEED_MAX_BYTES
        self.zip = None
        self.is_v11 = False
        if path.is_dir():
            self.base = path
            if not (path / "datapackage.json").is_file():
                raise FeedParseError("The folder has no datapackage.json.")
            return
        if not zipfile.is_zipfile(path):
            raise FeedParseError("The file is neither a zip archive nor a data package folder.")
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise FeedParseError(f"The zip archive cannot be opened: {exc}.") from None
        self._check_bomb()
        names = [n for n in self.zip.namelist() if PurePosixPath(n).name == "datapackage.json"]
        if not names:
            raise FeedParseError("The zip archive has no datapackage.json.")
        self.prefix = str(PurePosixPath(min(names, key=len)).parent)
        self.prefix = "" if self.prefix == "." else self.prefix + "/"

    def _check_bomb(self):
        total = 0
        for info in self.zip.infolist():
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise FeedParseError(
                    f"The zip member {info.filename[:100]} expands {info.file_size} bytes from "
                    f"{info.compress_size}: refused as a possible zip bomb."
                )
        if total > self.budget:
            raise FeedParseError(
                f"The zip archive expands to {total} bytes, over the limit of {self.budget}."
            )

    def exists(self, name: str) -> bool:
        if self.zip is None:
            return (self.base / name).is_file()
        try:
            self.zip.getinfo(self.prefix + name)
        except KeyError:
            return False
        return True

    def open_text(self, name: str):
        raw = (self.base / name).open("rb") if self.zip is None else self._zip_open(name)
        return io.TextIOWrapper(_Capped(raw, self), encoding="utf-8-sig", newline="")

    def _zip_open(self, name: str):
        try:
            return self.zip.open(self.prefix + name)
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise FeedParseError(f"{name} cannot be read from the zip: {exc}.") from None

    def close(self):
        if self.zip is not None:
            self.zip.close()


class _Capped(io.RawIOBase):
    def __init__(self, raw, package: _Package):
        self.raw, self.package = raw, package

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            data = self.raw.read(len(buffer))
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FeedParseError(f"The archive is damaged: {exc}.") from None
        self.package.budget -= len(data)
        if self.package.budget < 0:
            raise FeedParseError("The data package expands beyond the feed size limit.")
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        self.raw.close()
        super().close()


def _types(csv_name: str) -> dict[str, str]:
    schema = load_schema(SCHEMA_OF[csv_name])
    return {
        name: prop.get("type", "string")
        for name, prop in schema.get("properties", {}).items()
        if isinstance(prop, dict)
    }


def _coerce(row: dict, types: dict[str, str]) -> dict:
    """CSV text to the JSON types the schema expects; empty cells are left out."""
    out = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        kind = types.get(key, "string")
        if kind in ("number", "integer"):
            try:
                number = float(value)
                out[key] = int(number) if kind == "integer" and number.is_integer() else number
            except ValueError:
                out[key] = value  # validation reports it with the record
        elif kind == "boolean":
            out[key] = value.strip().lower() in ("true", "1", "yes")
        elif kind in ("array", "object"):
            continue
        else:
            out[key] = value
    return out


# HSDS 1.1 packages: the 3.0 table each 1.1 table stands in for, and how its rows change.
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _v11_schedule(row: dict) -> dict:
    out = {k: row[k] for k in ("id", "service_id", "service_at_location_id") if k in row}
    out.update(freq="WEEKLY", opens_at=row.get("opens_at"), closes_at=row.get("closes_at"))
    try:
        # HSDS 1.1 weekdays are numbered 1 (Monday) to 7 (Sunday), as in ISO 8601.
        out["byday"] = _WEEKDAYS[int(float(row.get("weekday", ""))) - 1]
    except (ValueError, IndexError):
        out["byday"] = str(row.get("weekday", ""))
    return {k: v for k, v in out.items() if v not in (None, "")}


V11_TABLES = {
    "locations.csv": ("locations.csv", lambda row: {"location_type": "physical", **row}),
    "service_at_location.csv": ("services_at_location.csv", lambda row: row),
    "addresses.csv": ("physical_addresses.csv", lambda row: {**row, "address_type": "physical"}),
    "accessibility.csv": (
        "accessibility_for_disabilities.csv",
        lambda row: {**row, "description": row.pop("accessibility", "")},
    ),
    "schedules.csv": ("regular_schedules.csv", _v11_schedule),
    "languages.csv": ("languages.csv", lambda row: {**row, "name": row.pop("language", "")}),
}


def _rows(package: _Package, name: str) -> Iterator[dict]:
    transform = None
    if package.is_v11 and name in V11_TABLES:
        member, transform = V11_TABLES[name]
    else:
        member = name
    if not package.exists(member):
        return
    types = _types(name)
    with package.open_text(member) as text:
        try:
            for row in csv.DictReader(text):
                if transform is not None:
                    row = transform(dict(row))
                yield _coerce(row, types)
        except UnicodeDecodeError:
            raise FeedParseError(f"{name} is not UTF-8 text.") from None
        except csv.Error as exc:
            raise FeedParseError(f"{name} is not readable CSV: {exc}.") from None


def _index(package: _Package, name: str, key: str) -> dict[str, list[dict]]:
    index = defaultdict(list)
    for row in _rows(package, name):
        if row.get(key):
            index[str(row[key])].append(row)
    return index


def _by_id(package: _Package, name: str) -> dict[str, dict]:
    return {str(r["id"]): r for r in _rows(package, name) if r.get("id")}


def iter_records(path: Path) -> Iterator[RawRecord]:
    package = _Package(path)
    package.is_v11 = not package.exists("service_at_location.csv") and any(
        package.exists(n) for n in ("services_at_location.csv", "regular_schedules.csv")
    )
    try:
        _read_descriptor(package)
        if not package.exists("services.csv"):
            raise FeedParseError("The data package has no services.csv.")
        yield from _services(package)
    finally:
        package.close()


def _read_descriptor(package: _Package) -> None:
    with package.open_text("datapackage.json") as text:
        try:
            descriptor = json.loads(text.read(4 * 1024 * 1024))
        except (ValueError, UnicodeDecodeError):
            raise FeedParseError("datapackage.json is not valid JSON.") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise FeedParseError("datapackage.json does not list its resources.")


def _services(package: _Package) -> Iterator[RawRecord]:
    children = {
        key: _index(package, name, parent) for name, (parent, key) in SERVICE_CHILDREN.items()
    }
    locations = _by_id(package, "locations.csv")
    addresses = _index(package, "addresses.csv", "location_id")
    accessibility = _index(package, "accessibility.csv", "location_id")
    sal_by_service = _index(package, "service_at_location.csv", "service_id")
    schedules_by_sal = _index(package, "schedules.csv", "service_at_location_id")
    terms = _by_id(package, "taxonomy_terms.csv")
    attributes = _index(package, "attributes.csv", "link_id")
    organizations = _by_id(package, "organizations.csv")
    for position, service in enumerate(_rows(package, "services.csv"), 1):
        sid = str(service.get("id", ""))
        for key, index in children.items():
            rows = [
                r
                for r in index.get(sid, [])
                if key != "schedules" or not r.get("service_at_location_id")
            ]
            if rows:
                service[key] = rows
        service["attributes"] = [
            {**a, "taxonomy_term": terms[a["taxonomy_term_id"]]}
            if a.get("taxonomy_term_id") in terms
            else a
            for a in attributes.get(sid, [])
        ] or []
        if not service["attributes"]:
            del service["attributes"]
        if service.get("organization_id") in organizations:
            service["organization"] = organizations[service["organization_id"]]
        sals = []
        for sal in sal_by_service.get(sid, []):
            location = locations.get(str(sal.get("location_id", "")))
            if location:
                location = dict(location)
                if addresses.get(location["id"]):
                    location["addresses"] = addresses[location["id"]]
                if accessibility.get(location["id"]):
                    location["accessibility"] = accessibility[location["id"]]
                sal["location"] = location
            if schedules_by_sal.get(str(sal.get("id"))):
                sal["schedules"] = schedules_by_sal[str(sal["id"])]
            sals.append(sal)
        if sals:
            service["service_at_locations"] = sals
        yield RawRecord(position, service)
