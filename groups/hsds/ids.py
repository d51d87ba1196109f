"""HSDS ids are UUIDs: Kindred's are built from the row's kind and primary key, reversibly."""

import re

KINDS = {
    "service": 1,
    "organization": 2,
    "location": 3,
    "service_at_location": 4,
    "schedule": 5,
    "taxonomy": 6,
    "taxonomy_term": 7,
    "address": 8,
    "language": 9,
    "cost_option": 10,
    "accessibility": 11,
    "attribute": 12,
    "phone": 13,
}
_PATTERN = re.compile(r"^6b1d0000-([0-9a-f]{4})-4000-8000-([0-9a-f]{12})$")


def make(kind: str, pk: int, sub: int = 0) -> str:
    return f"6b1d0000-{KINDS[kind]:04x}-4000-8{sub:03x}-{pk:012x}"


def parse(kind: str, value: str) -> int | None:
    match = _PATTERN.match(value.lower()) if isinstance(value, str) else None
    if not match or int(match[1], 16) != KINDS[kind]:
        return None
    return int(match[2], 16)
