"""Three journeys end to end in Chromium against the live server, each run twice: with the
mouse, and with the keyboard alone (Tab to move, Enter and Space to act, typing into
fields, arrow keys inside a group of radio buttons). axe-core checks every page on the way.

a. A resident searches by ZIP, filters by cost and access, opens a group, downloads its
   calendar file and asks for reminders, then confirms them from the email (also in Spanish).
b. A case worker signs in with a password and a TOTP code, refers a client with consent and
   sees the referral in the caseload.
c. An organizer signs in, lists a group meeting on the 2nd Tuesday of each month through the
   schedule editor, previews and saves it, sends it for review; a moderator approves it and
   the group becomes public.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from groups.models import Group
from groups.services import occurrences_refresh
from referrals.models import Referral
from tests.browser import kit
from tests.browser.pages import CONTENT
from tests.factories import TEST_PASSWORD, ScheduleFactory, located_group
from tests.groups.reminders.helpers import send_due

pytestmark = pytest.mark.browser

# Each journey: with the mouse; with the keyboard alone; and with the keyboard alone at
# 200% zoom (a 1280 px window zoomed to 200% lays pages out in 640 CSS pixels).
MODES = pytest.mark.parametrize(
    ("keyboard", "zoom"),
    [(False, False), (True, False), (True, True)],
    ids=["mouse", "keyboard", "keyboard-zoom200"],
)


def _zoom(page, zoom: bool) -> None:
    if zoom:
        page.set_viewport_size(kit.ZOOM_200)


class Driver:
    """One step of a journey, done with the mouse or with the keyboard alone."""

    def __init__(self, page, *, keyboard: bool):
        self.page = page
        self.keyboard = keyboard

    def check_page(self) -> None:
        """At every page of a journey: WCAG 2.2 A/AA by axe, nothing wider than the window."""
        self.page.wait_for_load_state()
        kit.assert_no_axe_violations(self.page)
        kit.assert_no_horizontal_overflow(self.page)

    def fill(self, locator, text: str) -> None:
        if not self.keyboard:
            locator.fill(text)
            return
        kit.tab_to(self.page, locator)
        if locator.input_value():
            self.page.keyboard.press("ControlOrMeta+a")
            self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def tick(self, locator) -> None:
        """Tick a checkbox (Space)."""
        if not self.keyboard:
            locator.check()
        else:
            kit.tab_to(self.page, locator)
            if not locator.is_checked():
                self.page.keyboard.press("Space")
        assert locator.is_checked()

    def choose(self, locator) -> None:
        """Choose a radio button: Tab into its group (one stop), arrow keys to move within it."""
        if not self.keyboard:
            locator.check()
            return
        name = locator.get_attribute("name")
        group = self.page.locator(f"input[type=radio][name='{name}']")
        if group.evaluate_all("els => !els.includes(document.activeElement)"):
            # Tab stops once in a radio group: on the ticked one, or on the first.
            checked = self.page.locator(f"input[type=radio][name='{name}']:checked")
            kit.tab_to(self.page, checked if checked.count() else group.first)
        for _ in range(group.count() + 1):
            if locator.is_checked():
                return
            if locator.evaluate("el => el === document.activeElement"):
                self.page.keyboard.press("Space")
            else:
                self.page.keyboard.press("ArrowDown")
        assert locator.is_checked(), f"arrow keys never chose {locator}"

    def select(self, locator, label: str) -> None:
        if not self.keyboard:
            locator.select_option(label=label)
        else:
            kit.tab_to(self.page, locator)
            self.page.keyboard.type(label)  # a closed <select> picks the option typed
        assert locator.evaluate("el => el.options[el.selectedIndex].text") == label

    def press(self, locator, *, navigates: bool = True) -> None:
        """Follow a link or press a button (Enter), and wait for the next page."""
        if self.keyboard:
            kit.tab_to(self.page, locator)
        if not navigates:
            self.page.keyboard.press("Enter") if self.keyboard else locator.click()
            return
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter") if self.keyboard else locator.click()
        self.page.wait_for_load_state()

    def submit_from(self, locator) -> None:
        """Enter in a text field submits its form."""
        with self.page.expect_navigation():
            if self.keyboard:
                self.page.keyboard.press("Enter")
            else:
                locator.press("Enter")


def _code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in(drive: Driver, base_url: str, user) -> None:
    """The real two-step sign in: email and password, then a code from the authenticator."""
    page = drive.page
    TOTPDevice.objects.get_or_create(user=user, name="phone", defaults={"confirmed": True})
    page.goto(base_url + reverse("accounts:login"))
    drive.check_page()
    drive.fill(page.get_by_label("Email"), user.email)
    drive.fill(page.get_by_label("Password"), TEST_PASSWORD)
    drive.press(page.get_by_role("button", name="Sign in"))
    assert page.url.startswith(base_url + reverse("accounts:second_factor_verify")), page.url
    drive.check_page()
    drive.fill(page.locator("input[name=token]"), _code(user))
    drive.press(page.get_by_role("button", name="Continue"))
    assert reverse("accounts:second_factor_verify") not in page.url


def _sign_out(drive: Driver) -> None:
    drive.press(drive.page.locator(".site-header").get_by_role("button", name="Sign out"))


# --- a. Resident -----------------------------------------------------------------------

NEAR = "Springfield Recovery Circle"


def _resident_groups():
    """Three groups near ZIP 62701: one free with step-free access (the one to find)."""
    found = located_group(
        latitude=39.7990,
        longitude=-89.6440,
        name=NEAR,
        cost="free",
        accessibility=("step_free",),
    )
    located_group(
        latitude=39.8010,
        longitude=-89.6500,
        name="Hearing Voices Drop-in",
        cost="fee",
        cost_amount=5,
        accessibility=("step_free",),
    )
    located_group(
        latitude=39.7900,
        longitude=-89.6300,
        name="Family Carers Coffee Morning",
        cost="free",
        accessibility=(),
    )
    start = timezone.localdate() - dt.timedelta(days=7)
    ScheduleFactory(group=found, rrule="FREQ=WEEKLY;BYDAY=TU", start_date=start)
    occurrences_refresh(group_id=found.pk)
    return found


def _resident_journey(page, base_url: str, *, keyboard: bool, spanish: bool = False):
    drive = Driver(page, keyboard=keyboard)
    group = _resident_groups()
    leftovers: list[str] = []

    def look():
        drive.check_page()
        if spanish:
            leftovers.extend(kit.english_leftovers(page, ignore=CONTENT + (NEAR, "Kindred")))

    page.goto(base_url + reverse("groups:search"))
    if spanish:  # switch with the language switcher, as a person does
        drive.press(page.locator(".language-switcher button[value=es]"))
        assert page.locator("html").get_attribute("lang") == "es"
    look()
    drive.fill(page.locator("input[name=near]"), "62701")
    drive.submit_from(page.locator("input[name=near]"))
    assert page.locator(".card.result").count() == 3
    look()

    # A search by place alone keeps "More choices" closed (the results follow the place).
    more_choices = page.locator("details.search-filters")
    assert more_choices.get_attribute("open") is None
    drive.press(more_choices.locator("summary"), navigates=False)
    drive.tick(page.locator("input[name=cost][value=free]"))
    drive.tick(page.locator("input[name=accessibility][value=step_free]"))
    drive.press(page.locator("form[role=search] button[type=submit]"))
    assert "cost=free" in page.url and "accessibility=step_free" in page.url
    assert page.locator(".card.result").count() == 1
    assert more_choices.get_attribute("open") is not None  # what was ticked stays in view
    look()

    drive.press(page.locator(".card.result").get_by_role("link", name=NEAR))
    assert page.url == base_url + reverse("groups:detail", args=[group.pk])
    look()

    with page.expect_download() as download:
        drive.press(
            page.locator(f"a[href='{reverse('groups:ics_series', args=[group.pk])}']"),
            navigates=False,
        )
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert body.startswith("BEGIN:VCALENDAR") and body.rstrip().endswith("END:VCALENDAR")
    assert "BEGIN:VEVENT" in body and "RRULE:FREQ=WEEKLY;BYDAY=TU" in body.replace("\r\n ", "")

    drive.press(page.locator(f"a[href='{reverse('reminders:signup', args=[group.pk])}']"))
    look()
    drive.fill(page.locator("input[name=email]"), "ana@example.org")
    drive.press(page.locator(".reminder-form button[type=submit]"))
    assert page.url == base_url + reverse("reminders:check_email")
    look()

    send_due()
    (message,) = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    link = re.search(r"https?://\S+/reminders/confirm/\S+/", message.body).group(0)
    page.goto(base_url + link[link.index("/reminders/") :])
    look()
    drive.press(page.locator("main form button[type=submit]"))
    assert "/reminders/manage/" in page.url
    look()
    assert group.reminder_subscriptions.get().is_confirmed
    return leftovers


@MODES
def test_resident_finds_a_group_downloads_the_calendar_and_gets_reminders(
    page, live_server, keyboard, zoom
):
    _zoom(page, zoom)
    assert _resident_journey(page, live_server.url, keyboard=keyboard) == []


@pytest.mark.translations
def test_resident_journey_in_spanish_has_no_english_left(page, live_server):
    leftovers = _resident_journey(page, live_server.url, keyboard=False, spanish=True)
    assert not leftovers, f"English on Spanish pages of the journey: {sorted(set(leftovers))}"


# --- b. Case worker --------------------------------------------------------------------


@MODES
def test_case_worker_signs_in_with_a_code_refers_a_client_and_sees_the_caseload(
    page, live_server, case_worker_a, provider_a, keyboard, zoom
):
    _zoom(page, zoom)
    drive = Driver(page, keyboard=keyboard)
    group = located_group(latitude=39.7990, longitude=-89.6440, name=NEAR, organization=provider_a)
    ScheduleFactory(group=group)
    occurrences_refresh(group_id=group.pk)
    _sign_in(drive, live_server.url, case_worker_a)

    page.goto(live_server.url + reverse("groups:detail", args=[group.pk]))
    drive.check_page()
    drive.press(page.get_by_role("link", name="Refer a client to this group"))
    assert page.url == live_server.url + reverse("referrals:create", args=[group.pk])
    drive.check_page()
    drive.fill(page.get_by_label("Client's name or initials"), "J. D.")
    drive.fill(page.locator("input[name=contact_value]"), "client@example.org")
    drive.tick(page.locator("input[name=share][value=name]"))
    drive.tick(page.locator("input[name=share][value=contact]"))
    drive.choose(page.locator("input[name=consent_method][value=verbal_witnessed]"))
    drive.tick(page.locator("input[name=consent_given]"))
    drive.press(page.get_by_role("button", name="Send the referral"))
    referral = Referral.objects.get()
    assert page.url == live_server.url + reverse("referrals:detail", args=[referral.pk])
    drive.check_page()

    page.goto(live_server.url + reverse("referrals:caseload"))
    drive.check_page()
    row = page.locator("tbody tr", has_text="J. D.")
    assert row.count() == 1 and NEAR in row.inner_text()


# --- c. Organizer and moderator --------------------------------------------------------


@MODES
def test_organizer_lists_a_monthly_group_and_a_moderator_makes_it_public(
    page, live_server, organizer_a, moderator, keyboard, zoom
):
    _zoom(page, zoom)
    drive = Driver(page, keyboard=keyboard)
    base = live_server.url
    _sign_in(drive, base, organizer_a)
    page.goto(base + reverse("organizer:dashboard"))
    drive.check_page()
    drive.press(page.get_by_role("link", name="List a new group"))
    drive.check_page()
    drive.fill(page.get_by_label("Name", exact=True), "Second Tuesday Circle")
    drive.fill(page.locator("textarea[name=description]"), "A calm peer group.")
    drive.tick(page.locator("input[name=topics][value=anxiety]"))
    drive.choose(page.locator("input[name=format][value=in_person]"))
    drive.choose(page.locator("input[name=facilitation][value=peer]"))
    drive.tick(page.locator("input[name=languages][value=en]"))
    drive.choose(page.locator("input[name=cost][value=free]"))
    drive.fill(page.locator("input[name=address_1]"), "12 Elm Street")
    drive.fill(page.locator("input[name=city]"), "Springfield")
    drive.fill(page.locator("input[name=postcode]"), "62701")
    drive.press(page.get_by_role("button", name="Save as a draft"))
    group = Group.objects.get(name="Second Tuesday Circle")
    assert page.url == base + reverse("organizer:group_manage", args=[group.pk])
    drive.check_page()

    drive.press(page.get_by_role("link", name="Add meeting times"))
    drive.check_page()
    drive.choose(page.locator("input[name=repeat][value=monthly_weekday]"))
    drive.select(page.locator("select[name=week_of_month]"), "2nd")
    drive.select(page.locator("select[name=weekday]"), "Tuesday")
    if keyboard:
        kit.tab_to(page, page.locator("input[name=start_time]"))
        page.keyboard.type("0630PM")
    else:
        page.locator("input[name=start_time]").fill("18:30")
    assert page.locator("input[name=start_time]").input_value() == "18:30"
    drive.press(page.get_by_role("button", name="Preview"))
    drive.check_page()
    meetings = page.locator("#preview li").all_inner_texts()
    assert meetings, "the preview lists the next meetings"
    for meeting in meetings:
        day = int(re.search(r"Tuesday (\d+) ", meeting).group(1))
        assert 8 <= day <= 14, f"not a 2nd Tuesday: {meeting}"
    drive.press(page.get_by_role("button", name="Save", exact=True))
    assert page.url == base + reverse("organizer:group_manage", args=[group.pk])
    assert group.schedules.get().rrule == "FREQ=MONTHLY;BYDAY=2TU"
    drive.check_page()
    drive.press(page.get_by_role("button", name="Send for review"))
    group.refresh_from_db()
    assert group.status == Group.Status.PENDING
    drive.check_page()
    _sign_out(drive)

    _sign_in(drive, base, moderator)
    page.goto(base + reverse("moderation:queue"))
    drive.check_page()
    drive.press(page.get_by_role("link", name="Second Tuesday Circle"))
    drive.check_page()
    drive.press(page.get_by_role("button", name=re.compile("^Approve")))
    group.refresh_from_db()
    assert group.status == Group.Status.PUBLISHED
    drive.check_page()
    _sign_out(drive)

    response = page.goto(base + reverse("groups:detail", args=[group.pk]))
    assert response.ok and page.locator("h1").inner_text() == "Second Tuesday Circle"
    drive.check_page()


def test_an_unknown_place_gets_a_helpful_message_next_to_the_field(page, live_server):
    page.goto(live_server.url + reverse("groups:search"))
    page.locator("input[name=near]").fill("00000")
    with page.expect_navigation():
        page.locator("input[name=near]").press("Enter")
    error = page.locator("#id_near_error")
    assert "not a ZIP code we know" in error.inner_text()
    assert "id_near_error" in (page.locator("#id_near").get_attribute("aria-describedby") or "")
    assert page.locator("input[name=near]").input_value() == "00000"  # nothing typed is lost
    kit.assert_no_axe_violations(page)
