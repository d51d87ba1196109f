"""HSDS 3.0 JSON, read as a stream: a list of services, a `Page` envelope, or ndjson.

ijson walks the bytes and builds one service at a time, so memory holds one record,
never the feed. The shape is told from the first bytes:
- `[` : a JSON array of services;
- `{` on a line that is itself a whole JSON object : ndjson, one service a line;
- `{` otherwise : a `Page` envelope (services under "contents") or one service.
"""

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

from groups.feeds.records import FeedParseError, RawRecord

_BOM = b"\xef\xbb\xbf"
_PEEK = 1024 * 1024


@dataclass
class PageInfo:
    page_number: int
    total_pages: int


class _Utf8Checked:
    """A binary reader that refuses bytes that are not UTF-8, wherever they are."""

    def __init__(self, raw):
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def _check(self, data: bytes) -> bytes:
        try:
            self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise FeedParseError(
                "The feed is not valid UTF-8 (wrong encoding?); HSDS JSON must be UTF-8."
            ) from None
        return data

    def read(self, size: int = -1) -> bytes:
        return self._check(self.raw.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._check(self.raw.readline(size))

    def __iter__(self):
        return iter(self.readline, b"")

    def tell(self) -> int:
        return self.raw.tell()

    def seek(self, offset: int) -> None:
        self.decoder.reset()
        self.raw.seek(offset)

    def close(self) -> None:
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _open(path: Path):
    raw = path.open("rb")
    head = raw.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw.close()
        raise FeedParseError("The feed is encoded as UTF-16; HSDS JSON must be UTF-8.")
    if not head.strip() and not (head + raw.read(_PEEK)).strip():
        raw.close()
        raise FeedParseError("The feed is empty.")
    raw.seek(3 if head.startswith(_BOM) else 0)
    return _Utf8Checked(raw)


def _first_char(handle) -> bytes:
    start = handle.tell()
    while True:
        chunk = handle.read(4096)
        if not chunk:
            handle.seek(start)
            return b""
        stripped = chunk.lstrip()
        if stripped:
            handle.seek(start)
            return stripped[:1]


def page_info(path: Path) -> PageInfo | None:
    """The paging fields of a `Page` envelope, or None for any other shape."""
    with _open(path) as handle:
        if _first_char(handle) != b"{":
            return None
        fields = {}
        try:
            for prefix, event, value in ijson.parse(handle):
                if prefix in ("page_number", "total_pages") and event == "number":
                    fields[prefix] = int(value)
                if len(fields) == 2:
                    break
        except (ijson.JSONError, ValueError, UnicodeDecodeError):
            return None
    if len(fields) < 2:
        return None
    return PageInfo(fields["page_number"], fields["total_pages"])


def iter_records(path: Path, *, start: int = 0) -> Iterator[RawRecord]:
    """Each service in the file, in order. Raises FeedParseError for an unreadable feed."""
    with _open(path) as handle:
        first = _first_char(handle)
        if first == b"<":
            raise FeedParseError(
                "The feed is an HTML or XML page, not JSON: the partner's server probably "
                "sent an error page instead of the feed."
            )
        if first == b"[":
            yield from _guard(_items(handle, "item"), start)
        elif first == b"{":
            if _looks_like_ndjson(handle):
                yield from _ndjson(handle, start)
            elif _has_top_level_key(handle, "contents"):
                yield from _guard(_items(handle, "contents.item"), start)
            else:
                yield from _guard(_items(handle, ""), start)
        else:
            raise FeedParseError(
                "The feed does not start like JSON (an array, an object or one object a line)."
            )


def _items(handle, prefix: str):
    return ijson.items(handle, prefix, use_float=True)


def _guard(items, start: int) -> Iterator[RawRecord]:
    position = start
    try:
        for item in items:
            position += 1
            yield RawRecord(position, item)
    except UnicodeDecodeError:
        raise FeedParseError(
            f"The feed is not valid UTF-8 (after record {position}); HSDS JSON must be UTF-8."
        ) from None
    except RecursionError:
        raise FeedParseError(
            f"The feed is nested too deeply to be HSDS (after record {position})."
        ) from None
    except (ijson.JSONError, ValueError) as exc:
        if "UTF8" in str(exc) or "UTF-8" in str(exc):
            raise FeedParseError(
                f"The feed is not valid UTF-8 (after record {position}); HSDS JSON must be UTF-8."
            ) from None
        raise FeedParseError(
            f"The feed is not valid JSON after record {position}: {_short(exc)}. "
            "It may have been cut off."
        ) from None


def _looks_like_ndjson(handle) -> bool:
    start = handle.tell()
    line = handle.readline(_PEEK)
    handle.seek(start)
    if not line.endswith(b"\n"):
        return False
    try:
        value = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(value, dict) and "contents" not in value


def _has_top_level_key(handle, key: str) -> bool:
    start = handle.tell()
    found = False
    try:
        for prefix, event, value in ijson.parse(handle):
            if prefix == "" and event == "map_key" and value == key:
                found = True
                break
    except (ijson.JSONError, ValueError, UnicodeDecodeError):
        pass  # the real read reports the error with its position
    handle.seek(start)
    return found


def _ndjson(handle, start: int) -> Iterator[RawRecord]:
    position = start
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        position += 1
        try:
            yield RawRecord(position, json.loads(line))
        except UnicodeDecodeError:
            yield RawRecord(position, error=f"line {number} is not valid UTF-8")
        except ValueError as exc:
            yield RawRecord(position, error=f"line {number} is not valid JSON: {_short(exc)}")


def _short(exc: Exception) -> str:
    text = str(exc).replace("\n", " ")
    return text[:160]
