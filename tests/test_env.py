import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_url


@pytest.mark.parametrize("raw", ["True", "TRUE", "1", "yes", "on"])
def test_env_bool_accepts_true_spellings(monkeypatch, raw):
    monkeypatch.setenv("K_FLAG", raw)
    assert env_bool("K_FLAG") is True


@pytest.mark.parametrize("raw", ["False", "0", "no", "off"])
def test_env_bool_accepts_false_spellings(monkeypatch, raw):
    monkeypatch.setenv("K_FLAG", raw)
    assert env_bool("K_FLAG", default=True) is False


@pytest.mark.parametrize("raw", ["ture", "2", "enabled", "y e s"])
def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("K_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="K_FLAG"):
        env_bool("K_FLAG")


def test_env_bool_unset_gives_default(monkeypatch):
    monkeypatch.delenv("K_FLAG", raising=False)
    assert env_bool("K_FLAG", default=True) is True


@pytest.mark.parametrize(
    "raw", ["mysql://db/kindred", "postgres//nohost", "postgres://:notaport/db", "redis:///"]
)
def test_env_url_rejects_malformed_urls(monkeypatch, raw):
    monkeypatch.setenv("K_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="K_URL"):
        env_url("K_URL", schemes=("postgres", "postgresql"))


def test_env_url_accepts_a_postgres_url(monkeypatch):
    monkeypatch.setenv("K_URL", "postgres://postgres@127.0.0.1:5432/kindred")
    assert env_url("K_URL", schemes=("postgres",)).endswith("/kindred")


def test_env_int_rejects_words_and_small_numbers(monkeypatch):
    monkeypatch.setenv("K_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="K_INT"):
        env_int("K_INT", 1)
    monkeypatch.setenv("K_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("K_INT", 1, minimum=1)


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("K_LIST", "a.example, b.example,,")
    assert env_list("K_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("K_CHOICE", "furlongs")
    with pytest.raises(ImproperlyConfigured, match="K_CHOICE"):
        env_choice("K_CHOICE", ("mi", "km"), "mi")
