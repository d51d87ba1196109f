"""Getting a feed's bytes: from an allow-listed http(s) URL, an uploaded file or a path.

Whatever the source, the bytes land in one local file (or folder) and are hashed on
the way, so "unchanged feed: nothing to do" costs one read. Every limit is checked
while reading, never after: a feed that is too big stops at the cap.
"""

import hashlib
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings

CHUNK = 1024 * 1024
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The feed could not be fetched; the message is for the partner page."""


@dataclass
class FetchedFeed:
    path: Path  # a file, or a folder for an unpacked data package
    sha256: str
    size: int
    temporary: bool

    def cleanup(self) -> None:
        if not self.temporary:
            return
        if self.path.is_dir():
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            self.path.unlink(missing_ok=True)


def host_allowed(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    for allowed in settings.KINDRED_FEED_ALLOWED_HOSTS:
        allowed = allowed.lower()
        if allowed.startswith("."):
            if host == allowed[1:] or host.endswith(allowed):
                return True
        elif host == allowed:
            return True
    return False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # handled by fetch_url, which checks the target against the allow-list


_opener = urllib.request.build_opener(_NoRedirects)


def fetch_url(url: str, *, max_bytes: int | None = None, budget: list[int] | None = None):
    """Download url into a temporary file; redirects only to allowed hosts.

    `budget` is a one-item list of bytes still allowed, shared by the pages of one feed.
    """
    max_bytes = max_bytes or settings.KINDRED_FEED_MAX_BYTES
    timeout = settings.KINDRED_FEED_TIMEOUT
    for _hop in range(MAX_REDIRECTS + 1):
        if not host_allowed(url):
            raise FetchError(
                f"The address {_safe(url)} is not on the list of partner hosts Kindred may "
                "fetch (KINDRED_FEED_ALLOWED_HOSTS), or is not http(s)."
            )
        request = urllib.request.Request(  # noqa: S310 - scheme checked by host_allowed
            url, headers={"User-Agent": "Kindred feed importer", "Accept-Encoding": "identity"}
        )
        try:
            response = _opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                url = urljoin(url, exc.headers["Location"])
                exc.close()
                continue
            exc.close()
            raise FetchError(
                f"The partner's server answered {exc.code} for {_safe(url)}."
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"Could not reach {_safe(url)}: {reason}.") from None
        with response:
            return _save(response, url, max_bytes, timeout, budget)
    raise FetchError(f"Too many redirects from {_safe(url)}.")


def _save(response, url, max_bytes, timeout, budget) -> FetchedFeed:
    declared = response.headers.get("Content-Length")
    limit = min(max_bytes, budget[0]) if budget else max_bytes
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"The feed is larger than the limit of {limit} bytes.")
    deadline = time.monotonic() + timeout * 10
    digest, size = hashlib.sha256(), 0
    handle = tempfile.NamedTemporaryFile(prefix="kindred-feed-", delete=False)  # noqa: SIM115
    try:
        with handle:
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"The feed is larger than the limit of {limit} bytes.")
                if time.monotonic() > deadline:
                    raise FetchError("The partner's server sent the feed too slowly.")
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    if budget:
        budget[0] -= size
    return FetchedFeed(Path(handle.name), digest.hexdigest(), size, temporary=True)


def local_source(path: Path) -> FetchedFeed:
    """A file or folder already on disk (the command line, or an uploaded file)."""
    if not path.exists():
        raise FetchError(f"There is no file at {path}.")
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest, size = hashlib.sha256(), 0
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                size += len(chunk)
                if size > settings.KINDRED_FEED_MAX_BYTES:
                    raise FetchError(
                        f"The feed is larger than the limit of {settings.KINDRED_FEED_MAX_BYTES} "
                        "bytes."
                    )
                digest.update(chunk)
    return FetchedFeed(path, digest.hexdigest(), size, temporary=False)


def _safe(url: str) -> str:
    """The URL without its query string and credentials, for reports."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"[:300]
    except ValueError:
        return "(an unreadable address)"
