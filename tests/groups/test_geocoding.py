"""The geocoder chain: offline gazetteer first, the online geocoder only when configured."""

import logging
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings

from groups.geocoding import geocode, online


@pytest.fixture(autouse=True)
def _fresh_geocoder():
    cache.clear()
    online.reset()
    yield
    online.reset()


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("62701", "62701 (Springfield, IL)"),
        ("Springfield, IL", "Springfield, IL"),
        ("springfield il", "Springfield, IL"),
        ("Springfield, Illinois", "Springfield, IL"),
        ("100 Main St, Springfield, IL 62701", "62701 (Springfield, IL)"),
        ("Saint Louis, MO", "St. Louis, MO"),
        ("Chicago", "Chicago, IL"),
    ],
)
def test_offline_gazetteer_finds_zip_codes_cities_and_addresses(typed, label):
    result = geocode(typed)
    assert result.found, result.message
    assert result.place.label == label
    assert result.place.source in ("zip", "city")


def test_misspelt_place_gets_suggestions():
    result = geocode("Sprngfield")
    assert not result.found
    assert result.message.startswith("We couldn't find “Sprngfield”. Did you mean Springfield, ")
    assert "Springfield, MA" in result.suggestions


def test_ambiguous_city_asks_which_one():
    result = geocode("Springfield")
    assert not result.found
    assert {"Springfield, IL", "Springfield, MA"} & set(result.suggestions)
    assert "Add the state" in result.message


def test_unknown_zip_code_says_so():
    result = geocode("00000")
    assert not result.found and "not a ZIP code we know" in result.message


def test_no_network_call_by_default():
    with mock.patch("geopy.geocoders.Nominatim.geocode") as network:
        result = geocode("Nowhereville Qzx")
    assert not result.found
    network.assert_not_called()


def _fake_location(lat, lng):
    return mock.Mock(latitude=lat, longitude=lng, address="somewhere")


@override_settings(KINDRED_GEOCODER="nominatim", KINDRED_GEOCODER_MIN_DELAY=0)
def test_online_geocoder_is_used_after_the_gazetteer_and_cached_by_hash(caplog):
    typed = "Kindred Test Hall Xq, Nowhere Land"
    caplog.set_level(logging.DEBUG)
    with mock.patch(
        "geopy.geocoders.Nominatim.geocode", return_value=_fake_location(45.5, -122.6)
    ) as network:
        first = geocode(typed)
        second = geocode(typed)
    assert first.found and first.place.source == "online"
    assert (second.place.latitude, second.place.longitude) == (45.5, -122.6)
    network.assert_called_once()  # the second answer came from the cache
    assert network.call_args.kwargs.get("country_codes") == "us"
    key = online.cache_key(typed)
    assert typed.lower() not in key and "nowhere" not in key.lower()
    assert cache.get(key) == (45.5, -122.6, "")
    assert "Nowhere" not in caplog.text


@override_settings(KINDRED_GEOCODER="nominatim", KINDRED_GEOCODER_MIN_DELAY=0)
def test_online_geocoder_is_not_asked_when_the_gazetteer_knows_the_place():
    with mock.patch("geopy.geocoders.Nominatim.geocode") as network:
        assert geocode("62701").found
    network.assert_not_called()


@override_settings(KINDRED_GEOCODER="nominatim", KINDRED_GEOCODER_MIN_DELAY=0)
def test_online_geocoder_failure_gives_the_helpful_message_not_an_error():
    from geopy.exc import GeocoderTimedOut

    with mock.patch("geopy.geocoders.Nominatim.geocode", side_effect=GeocoderTimedOut("slow")):
        result = geocode("Sprngfield")
    assert not result.found and "Did you mean" in result.message


@override_settings(KINDRED_GEOCODER="nominatim", KINDRED_GEOCODER_MIN_DELAY=0)
def test_online_misses_are_cached_too():
    with mock.patch("geopy.geocoders.Nominatim.geocode", return_value=None) as network:
        geocode("Qwxzy Place, Nowhere Land")
        geocode("qwxzy place,  nowhere land")  # same once normalized
    network.assert_called_once()


def test_a_house_number_is_not_taken_for_a_zip_code():
    result = geocode("12345 Main St, Chicago, IL")
    assert result.found and result.place.label == "Chicago, IL"
