"""The caseload and the inbox come in pages, newest first, so nothing old is out of reach."""

import pytest
from django.urls import reverse

from referrals import views


@pytest.fixture
def five_referrals(case_worker_a, group_a, make_referral, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    return [
        make_referral(case_worker=case_worker_a, group=group_a, name=f"Client {n}")
        for n in range(5)
    ]


def _names(html: str) -> list[str]:
    """The clients listed, in the order the page lists them."""
    listed = [f"Client {n}" for n in range(5) if f"Client {n}<" in html]
    return sorted(listed, key=lambda name: html.index(f"{name}<"))


def test_caseload_pages_reach_the_oldest_referral(client, login, case_worker_a, five_referrals):
    login(client, case_worker_a)
    pages = [
        client.get(reverse("referrals:caseload"), {"page": n}).content.decode() for n in (1, 2, 3)
    ]
    assert [_names(html) for html in pages] == [
        ["Client 4", "Client 3"],
        ["Client 2", "Client 1"],
        ["Client 0"],
    ]
    assert "Page 1 of 3" in pages[0] and 'rel="prev"' not in pages[0]
    assert 'rel="next"' in pages[1] and 'rel="prev"' in pages[1]
    assert 'rel="next"' not in pages[2]


def test_caseload_page_links_keep_the_scope_chosen(client, login, case_worker_a, five_referrals):
    html = (
        login(client, case_worker_a)
        .get(reverse("referrals:caseload"), {"scope": "agency"})
        .content.decode()
    )
    assert 'href="?scope=agency&amp;page=2"' in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99", "1e9"])
def test_a_page_that_is_not_one_gives_a_page_not_an_error(
    client, login, case_worker_a, five_referrals, page
):
    response = login(client, case_worker_a).get(reverse("referrals:caseload"), {"page": page})
    assert response.status_code == 200
    assert len(_names(response.content.decode())) in (1, 2)


def test_attention_heading_speaks_of_this_page_when_there_are_several(
    client, login, case_worker_a, five_referrals
):
    from referrals import services

    for referral in five_referrals:
        services.referral_change_status(
            referral_id=referral.pk, to_status="declined", role="organizer", reason="Full"
        )
    html = login(client, case_worker_a).get(reverse("referrals:caseload")).content.decode()
    assert "On this page, 2 need your attention" in html


def test_inbox_pages_reach_the_oldest_referral(client, login, organizer_a, five_referrals):
    login(client, organizer_a)
    first = client.get(reverse("referrals:inbox")).content.decode()
    last = client.get(reverse("referrals:inbox"), {"page": 3}).content.decode()
    assert _names(first) == ["Client 4", "Client 3"] and "Page 1 of 3" in first
    assert _names(last) == ["Client 0"] and "Page 3 of 3" in last
