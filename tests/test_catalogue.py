"""The Spanish catalogue: every message the code marks for translation is translated.

The completeness test first runs `makemessages` over a scratch copy of the catalogue
(the source tree is linked, never written), so a string added today is caught today.
It is marked `translations` (select with `-m translations`); an untranslated or fuzzy
message fails it, with the list.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.po import missing_translations, read_po

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("accounts", "config", "groups", "referrals", "templates")


def refreshed_catalogue(scratch: Path) -> Path:
    """The Spanish .po as `makemessages -l es` would leave it, built in `scratch`."""
    for name in SOURCES:
        if (REPO / name).exists():
            (scratch / name).symlink_to(REPO / name)
    shutil.copytree(REPO / "locale", scratch / "locale")
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "makemessages", "-l", "es",
         "--symlinks", "--no-obsolete", "-v", "0"],
        cwd=scratch, check=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, timeout=120,
    )  # fmt: skip
    return scratch / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_checker_reports_untranslated_and_fuzzy_messages_but_not_the_header(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        '#: a.py:1\nmsgid "Find a group"\nmsgstr "Buscar un grupo"\n\n'
        '#: a.py:2\nmsgid "Share"\nmsgstr ""\n\n'
        '#: a.py:3\n#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hola %(name)s"\n\n'
        '#: a.py:4\nmsgid "one group"\nmsgid_plural "%(n)s groups"\n'
        'msgstr[0] "un grupo"\nmsgstr[1] ""\n\n'
        '#: a.py:5\nmsgid ""\n"A long line "\n"split in two"\nmsgstr ""\n"Una línea "\n"larga"\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    problems = missing_translations(read_po(po))
    assert problems == [
        "untranslated: 'Share' (a.py:2)",
        "fuzzy: 'Hello %(name)s' (a.py:3)",
        "untranslated: 'one group' (a.py:4)",
    ]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    before = (REPO / "locale" / "es" / "LC_MESSAGES" / "django.po").read_bytes()
    entries = read_po(refreshed_catalogue(tmp_path_factory.mktemp("catalogue")))
    return before, entries


def test_makemessages_scratch_copy_catches_a_new_string_and_leaves_the_repo_alone(refreshed):
    before, entries = refreshed
    msgids = {entry.msgid for entry in entries}
    assert "Skip to main content" in msgids  # from templates/base.html
    assert "Share this group" in msgids  # a string newer than the committed catalogue
    assert (REPO / "locale" / "es" / "LC_MESSAGES" / "django.po").read_bytes() == before


@pytest.mark.translations
def test_spanish_catalogue_has_every_message_translated(refreshed):
    problems = missing_translations(refreshed[1])
    assert not problems, (
        f"{len(problems)} message(s) need a Spanish translation (make messages, then edit "
        "locale/es/LC_MESSAGES/django.po):\n" + "\n".join(problems[:50])
    )
