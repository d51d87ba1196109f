"""Share a group by link, email and text message: the canonical address, no tracking."""

from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

TRACKING = ("utm_", "fbclid", "gclid", "mc_", "ref=", "source=", "campaign")


def _hrefs(html: str) -> dict[str, str]:
    found = {}
    for kind in ("share-email", "share-sms"):
        start = html.index(f'class="{kind}" href="') + len(f'class="{kind}" href="')
        found[kind] = unescape(html[start : html.index('"', start)])
    start = html.index('id="share-link" type="url" value="') + len(
        'id="share-link" type="url" value="'
    )
    found["link"] = unescape(html[start : html.index('"', start)])
    return found


@override_settings(SITE_URL="https://kindred.example.org")
def test_share_links_carry_the_canonical_address_and_nothing_else(client):
    group = GroupFactory(name="Tuesday Peer Circle & Friends")
    canonical = "https://kindred.example.org" + reverse("groups:detail", args=[group.pk])
    hrefs = _hrefs(client.get(reverse("groups:detail", args=[group.pk])).content.decode())

    assert hrefs["link"] == canonical

    email = urlsplit(hrefs["share-email"])
    assert email.scheme == "mailto" and email.path == ""
    query = parse_qs(email.query)
    assert set(query) == {"subject", "body"}
    assert "Tuesday Peer Circle & Friends" in query["subject"][0]
    assert query["body"][0].endswith(canonical)
    assert "+" not in email.query, "mailto: spaces are %20 (RFC 6068), never +"

    assert hrefs["share-sms"].startswith("sms:?&body=")
    sms_body = unquote(hrefs["share-sms"].removeprefix("sms:?&body="))
    assert sms_body.endswith(canonical) and "Tuesday Peer Circle & Friends" in sms_body

    for href in hrefs.values():
        decoded = unquote(href)
        assert not any(marker in decoded for marker in TRACKING), decoded
        assert decoded.count("?") <= 1  # the canonical URL itself has no query


def test_share_text_is_in_the_visitors_language(client):
    group = GroupFactory()
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert '<html lang="es">' in html
    assert 'class="share-sms"' in html  # the fragment renders in Spanish pages too
