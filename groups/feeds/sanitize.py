"""Text and links from partner feeds: plain text only, links only http(s)/mailto/tel."""

import html
import re
import unicodedata
from urllib.parse import urlsplit

import nh3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")
_LINK_SCHEMES = {"http", "https"}


def plain_text(value, *, max_length: int) -> tuple[str, bool]:
    """Any markup removed (script and style with their content), whitespace tidied.

    Returns the text and whether it had to be shortened to max_length.
    """
    if value is None:
        return "", False
    text = str(value)
    if "<" in text or "&" in text:
        # nh3 parses as HTML and drops every tag; unescaping gives back plain text,
        # which templates escape again when they show it.
        text = html.unescape(nh3.clean(text, tags=set(), attributes={}))
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        text = _BLANK_LINES.sub("\n\n", "\n".join(" ".join(ln.split()) for ln in text.split("\n")))
    text = text.strip()
    if len(text) > max_length:
        return text[: max_length - 1].rstrip() + "…", True
    return text, False


def web_link(value, *, max_length: int = 500) -> str:
    """An http(s) URL, or "" for anything else (javascript:, data:, relative, too long)."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if not url or len(url) > max_length or _CONTROL.search(url) or " " in url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.hostname:
        return ""
    return url


_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def email_address(value) -> str:
    """A plain address; a "mailto:" prefix is accepted and removed."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text if len(text) <= 254 and _EMAIL.match(text) else ""


_PHONE = re.compile(r"^\+?[0-9 ().\-]{3,30}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def phone_number(value) -> str:
    if not isinstance(value, (str, int)):
        return ""
    text = str(value).strip().strip('"').strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    return text if _PHONE.match(text) else ""
