"""What the browser tests check, as plain functions taking a Playwright page.

Reusable for any page or journey: see docs/browser.md. Nothing here imports Playwright
at module level, so tests/conftest.py can ask `missing_requirements()` cheaply.
"""

import os
import re
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KINDRED_CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CATALOGUE = REPO / "locale" / "es" / "LC_MESSAGES" / "django.po"

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# 200% zoom of a 1280 px window lays the page out in 640 CSS pixels, at twice the density.
ZOOM_200 = {"width": 640, "height": 400}
# WCAG 1.4.10 Reflow: 320 CSS pixels wide (a 1280 px window at 400%) with no sideways scroll.
REFLOW = {"width": 320, "height": 640}

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def missing_requirements() -> list[str]:
    """What this machine lacks to run the browser tests (empty: all there)."""
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (make install)")
    if not AXE_JS.is_file():
        missing.append("axe-core in node_modules (npm ci)")
    return missing


# --- Accessibility ----------------------------------------------------------------------


def axe_violations(page, *, disable_rules: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations for the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disable_rules},
    }
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            lines.append(f"    at {', '.join(map(str, node['target']))}\n      {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, disable_rules: tuple[str, ...] = ()) -> None:
    """Fail with a readable list of WCAG 2.2 A/AA violations (rule, why, where, how to fix)."""
    violations = axe_violations(page, disable_rules=disable_rules)
    assert not violations, (
        f"axe-core found {len(violations)} WCAG 2.2 A/AA violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


# --- Layout -------------------------------------------------------------------------------


_OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
        `${el.className && typeof el.className === 'string' ? '.' + el.className.trim()
          .split(/\\s+/).join('.') : ''} right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 8)};
}"""


def assert_no_horizontal_overflow(page) -> None:
    """Nothing makes the page scroll sideways at the current viewport width."""
    result = page.evaluate(_OVERFLOW_JS)
    assert result["scrollWidth"] <= result["clientWidth"], (
        f"{page.url} scrolls sideways at {result['clientWidth']} px "
        f"(content is {result['scrollWidth']} px wide). Widest elements: {result['culprits']}"
    )


def screenshot(page, name: str, viewport: dict) -> Path:
    """A full-page PNG in test-artifacts/screenshots/<name>-<width>.png."""
    page.set_viewport_size(viewport)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{viewport['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def text_is_clipped(page) -> list[str]:
    """Elements whose text is cut off (content wider than the box with hidden overflow)."""
    return page.evaluate(
        """() => [...document.body.querySelectorAll('*')].filter(el => {
          const style = getComputedStyle(el);
          return style.overflowX === 'hidden' && el.scrollWidth > el.clientWidth + 1
            && el.clientWidth > 1 && el.innerText && el.innerText.trim();
        }).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""
    )


# --- Keyboard -----------------------------------------------------------------------------


_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const box = el.getBoundingClientRect();
  return {
    name: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.innerText ||
      el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`,
    visible: outline || shadow,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


@dataclass
class FocusStop:
    name: str
    visible: bool
    on_screen: bool


def _focus_top(page) -> None:
    """Put the keyboard at the very top of the page, as if it had just loaded."""
    page.evaluate(
        """() => { const start = document.createElement('span'); start.tabIndex = -1;
          document.body.prepend(start); start.focus(); window.scrollTo(0, 0);
          start.addEventListener('blur', () => start.remove()); }"""
    )


def tab_through(page, *, limit: int = 80) -> list[FocusStop]:
    """Press Tab from the top of the page until focus leaves it; every stop it made."""
    _focus_top(page)
    stops: list[FocusStop] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(_FOCUS_JS)
        if state is None or (stops and state["name"] == stops[0].name):
            break
        stops.append(FocusStop(state["name"], state["visible"], state["onScreen"]))
    return stops


def assert_focus_always_visible(page) -> list[FocusStop]:
    """Tab through the whole page: each element focused shows an outline or a ring."""
    stops = tab_through(page)
    assert stops, f"{page.url}: Tab reached nothing"
    hidden = [stop.name for stop in stops if not (stop.visible and stop.on_screen)]
    assert not hidden, f"{page.url}: focus not visible on {hidden}"
    return stops


def assert_skip_link_works(page) -> None:
    """The first Tab shows "Skip to main content"; Enter moves focus into <main>."""
    _focus_top(page)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement; const box = el.getBoundingClientRect();
          return {cls: el.className, top: box.top, height: box.height,
                  href: el.getAttribute('href')}; }"""
    )
    assert "skip-link" in focused["cls"], f"first Tab went to {focused}, not the skip link"
    assert focused["top"] >= 0 and focused["height"] > 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    # The next Tab goes into <main> (or past it, when main has nothing to focus), never
    # back to the header the person skipped.
    after = page.evaluate(
        """() => { const main = document.querySelector('main'), el = document.activeElement;
          const inOrAfter = n => main.contains(n) ||
            !!(main.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING);
          const focusable = [...document.querySelectorAll(
            'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
            .filter(n => inOrAfter(n) && n.checkVisibility() && !n.disabled);
          return !focusable.length || inOrAfter(el); }"""
    )
    assert after, "Tab after the skip link went back before <main>"


# --- Network ------------------------------------------------------------------------------


@dataclass
class NetworkLog:
    """Every request a page makes, with what each response cost on the wire.

    Attach before navigating: `log = NetworkLog.attach(page)`; then `log.detach()`.
    """

    page: object
    requests: list[str] = field(default_factory=list)
    responses: list[tuple[str, str, int]] = field(default_factory=list)  # url, type, bytes

    @classmethod
    def attach(cls, page) -> "NetworkLog":
        log = cls(page)
        page.on("request", log._on_request)
        page.on("requestfinished", log._on_finished)
        return log

    def detach(self) -> None:
        self.page.remove_listener("request", self._on_request)
        self.page.remove_listener("requestfinished", self._on_finished)

    def _on_request(self, request) -> None:
        self.requests.append(request.url)

    def _on_finished(self, request) -> None:
        sizes = request.sizes()
        transferred = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        self.responses.append((request.url, request.resource_type, transferred))

    def hosts(self) -> set[str]:
        return {
            urlsplit(url).hostname
            for url in self.requests
            if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        }

    def off_host(self, allowed: str = "127.0.0.1") -> list[str]:
        """Requests to anywhere but `allowed` (data: and blob: URLs never leave the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).hostname != allowed
        ]

    def transferred(self, types: tuple[str, ...] | None = None) -> int:
        """Bytes on the wire (headers + body) of finished responses, of `types` or all."""
        return sum(size for _, kind, size in self.responses if types is None or kind in types)

    def breakdown(self) -> str:
        return "\n".join(f"  {size:>8} B  {kind:<10} {url}" for url, kind, size in self.responses)


# --- Print --------------------------------------------------------------------------------


def printed_pages(page, *, paper: str = "Letter") -> int:
    """How many sheets the page prints on (Chromium's PDF, with the print stylesheet)."""
    from io import BytesIO

    from pypdf import PdfReader

    page.emulate_media(media="print")
    try:
        pdf = page.pdf(format=paper, print_background=False)
    finally:
        page.emulate_media(media="screen")
    return len(PdfReader(BytesIO(pdf)).pages)


def save_pdf(page, name: str, *, paper: str = "Letter") -> Path:
    page.emulate_media(media="print")
    path = ARTIFACTS / "pdf" / f"{name}-{paper.lower()}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(path), format=paper)
    page.emulate_media(media="screen")
    return path


# --- Language -----------------------------------------------------------------------------

# Words of Kindred's English interface that are not also Spanish words. A Spanish page
# showing one of them (outside what people typed, and outside lang="en" elements such
# as the language switcher's "English") has English left in it.
_WORDS = """the and you your with what when where which this that from about find search sign
    group groups meeting meetings please here free cost share link page help call text
    next previous back close open show hide more less email address password forgotten
    skip main content language settings submit send save cancel delete yes"""
ENGLISH_UI_WORDS = frozenset(_WORDS.split())

_VISIBLE_TEXT_JS = """() => {
  const pageLang = (document.documentElement.lang || '').toLowerCase();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const pieces = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim()) continue;
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(parent.tagName)) continue;
    const tagged = parent.closest('[lang]');
    if (tagged && tagged.lang.toLowerCase().split('-')[0] !== pageLang.split('-')[0]) continue;
    if (!parent.checkVisibility({visibilityProperty: true}) &&
        !parent.closest('.visually-hidden, .skip-link')) continue;
    pieces.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [alt], [title]')) {
    for (const name of ['aria-label', 'placeholder', 'alt', 'title']) {
      if (el.getAttribute(name)) pieces.push(el.getAttribute(name));
    }
  }
  pieces.push(document.title);
  return pieces;
}"""


def page_texts(page) -> list[str]:
    """Every piece of text a person (or a screen reader) meets on the page."""
    return page.evaluate(_VISIBLE_TEXT_JS)


def english_catalogue_strings() -> set[str]:
    """English interface strings (msgids) long enough to recognise on a page."""
    from tests.po import read_po

    strings = set()
    for entry in read_po(CATALOGUE):
        if entry.is_header or "%" in entry.msgid or "{" in entry.msgid:
            continue
        if len(entry.msgid.split()) >= 2 and entry.msgid not in entry.msgstrs:
            strings.add(entry.msgid)
    return strings


def english_leftovers(page, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """English found on a (Spanish) page: whole catalogue strings, then UI words.

    `ignore`: text that is not the interface's (group names and descriptions typed by
    organizers, the site's name); it is removed before looking.
    """
    texts = page_texts(page)
    found = []
    joined = "\n".join(texts)
    for piece in sorted(ignore, key=len, reverse=True):
        joined = joined.replace(piece, " ")
    for msgid in english_catalogue_strings():
        if msgid in joined:
            found.append(msgid)
    for word in sorted(set(re.findall(r"[A-Za-z]+", joined))):
        if word.lower() in ENGLISH_UI_WORDS:
            found.append(word)
    return found


# --- Map tiles --------------------------------------------------------------------------


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


TILE_PNG = _png(256, 256, (226, 232, 222))


def clean_artifacts() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


# --- Keyboard journeys ------------------------------------------------------------------


def tab_to(page, locator, *, limit: int = 200) -> None:
    """Press Tab (only Tab) until `locator` has the focus; fail if it is never reached.

    Each stop on the way must show its focus (an outline or a ring) and be on screen.
    """
    target = locator.element_handle()
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            state = page.evaluate(_FOCUS_JS)
            assert state and state["visible"], f"{page.url}: focus not visible on {state}"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{page.url}: Tab never reached {locator}")


def configure_map(settings, tile_url: str) -> None:
    """Switch the map on for a test, as a deployment does: the tile URL, and its origin in
    the Content-Security-Policy's img-src (config/settings.py derives it at start-up)."""
    import copy

    settings.KINDRED_MAP_TILE_URL = tile_url
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    origin = "://".join(urlsplit(tile_url)[:2])
    if origin not in policy["DIRECTIVES"]["img-src"]:
        policy["DIRECTIVES"]["img-src"].append(origin)
    settings.CONTENT_SECURITY_POLICY = policy
