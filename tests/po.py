"""A small reader for gettext .po files, enough to check a catalogue is complete."""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs)

    def where(self) -> str:
        return " ".join(self.references[:2]) or "?"


def read_po(path: Path) -> list[Entry]:
    """Entries in file order, obsolete (#~) ones left out, the header included."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish():
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if started:
                finish()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            if started:
                finish()
            current.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if target is not None:
                _append(current, target, ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and started and current.msgstrs:
                finish()
            started = True
            if keyword.startswith("msgstr["):
                target = ("msgstr", int(keyword[7:-1]))
            else:
                target = (keyword, None)
            if keyword == "msgctxt":
                current.msgctxt = ""
            _append(current, target, ast.literal_eval(rest))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    name, index = target
    if name == "msgstr":
        index = index or 0
        while len(entry.msgstrs) <= index:
            entry.msgstrs.append("")
        entry.msgstrs[index] += text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def missing_translations(entries: list[Entry]) -> list[str]:
    """One readable line per msgid that is untranslated or fuzzy."""
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {entry.msgid!r} ({entry.where()})")
        elif not entry.translated:
            problems.append(f"untranslated: {entry.msgid!r} ({entry.where()})")
    return problems
