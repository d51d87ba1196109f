"""Without Chromium the browser tests skip on a laptop and FAIL in CI (never silently)."""

import pytest

from tests import conftest
from tests.browser import kit


class _Item:
    def __init__(self, *names):
        self.marks = [getattr(pytest.mark, name).mark for name in names]

    def iter_markers(self):
        return iter(self.marks)


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(kit, "CHROMIUM", str(tmp_path / "no-chromium"))


def test_missing_chromium_is_named(no_chromium):
    assert any("Chromium" in need for need in kit.missing_requirements())


def test_missing_chromium_fails_a_browser_test_in_ci(no_chromium, monkeypatch):
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", True)
    with pytest.raises(pytest.fail.Exception, match="Chromium"):
        conftest.pytest_runtest_setup(_Item("browser"))


def test_missing_chromium_skips_a_browser_test_locally(no_chromium, monkeypatch):
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", False)
    with pytest.raises(pytest.skip.Exception, match="Chromium"):
        conftest.pytest_runtest_setup(_Item("browser"))
    conftest.pytest_runtest_setup(_Item())  # an ordinary test is not affected
