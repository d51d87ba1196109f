import pytest
from django.urls import reverse

from tests.factories import OnlineGroupFactory, located_group, synced

pytestmark = pytest.mark.django_db


def test_smoke(client):
    a = located_group(latitude=39.80, longitude=-89.64, name="Near")
    located_group(latitude=41.88, longitude=-87.63, name="Far")
    synced(OnlineGroupFactory(name="Online one"))
    r = client.get(reverse("groups:search"), {"near": "62701", "radius_km": "25"})
    html = r.content.decode()
    assert r.status_code == 200, html
    assert "Near" in html and "Far" not in html and "Online one" in html
    r = client.get(reverse("groups:api_search"), {"near": "62701"})
    print(r.json())
    r = client.get(reverse("groups:detail", args=[a.pk]))
    assert r.status_code == 200
