"""What each reminder message says, by email and by text message.

A batch often holds many people for one meeting, so the Composer renders each
(meeting, kind, language) once with a placeholder where the person's own link
token goes, and fills it in per person. Tokens are random, not personal data.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from config.emails import build_email
from groups.models import Occurrence, Reminder, ReminderSubscription
from groups.reminders.ics import occurrence_ics
from groups.schedule import zone
from groups.sms import send_sms

TOKEN = "KINDREDTOKENPLACEHOLDER"  # noqa: S105 - replaced by each person's link token


class PermanentFailure(Exception):
    """Retrying will not help (the provider refused the address)."""


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def links(token: str) -> dict[str, str]:
    return {
        "confirm_url": absolute(reverse("reminders:confirm", kwargs={"token": token})),
        "manage_url": absolute(reverse("reminders:manage", kwargs={"token": token})),
        "unsubscribe_url": absolute(reverse("reminders:unsubscribe", kwargs={"token": token})),
    }


def when_text(starts_at, time_zone: str) -> str:
    """ "Tuesday, Nov. 24, 2026, 6 p.m. (CST)" in the active language and the group's zone."""
    local = starts_at.astimezone(zone(time_zone))
    return "{day}, {date}, {time} ({zone})".format(
        day=formats.date_format(local, "l"),
        date=formats.date_format(local, "DATE_FORMAT"),
        time=formats.time_format(local, "TIME_FORMAT"),
        zone=local.tzname(),
    )


def meeting_context(occurrence: Occurrence) -> dict:
    group = occurrence.group
    location = group.location if group.meets_in_person else None
    place = ""
    if location is not None:
        place = ", ".join(p for p in [location.name, location.one_line()] if p)
    join_url = group.online_url if (group.online_url and group.online_url_public) else ""
    return {
        "group": group,
        "occurrence": occurrence,
        "when": when_text(occurrence.starts_at, occurrence.schedule.time_zone),
        "original_when": when_text(occurrence.original_starts_at, occurrence.schedule.time_zone),
        "place": place,
        "directions": location.directions if location is not None else "",
        "is_online": group.format in ("online", "hybrid", "phone"),
        "join_url": join_url,
        "contact_email": group.contact_email,
        "what_to_expect": group.what_to_expect
        or _("Ask the organizer what a first visit is like. You are welcome as you are."),
        "group_url": absolute(reverse("groups:detail", kwargs={"pk": group.pk})),
    }


TEMPLATES = {
    Reminder.Kind.CONFIRMATION: "reminders/email/confirmation",
    Reminder.Kind.DAY_BEFORE: "reminders/email/reminder",
    Reminder.Kind.TWO_HOURS: "reminders/email/reminder",
    Reminder.Kind.CANCELLED: "reminders/email/cancelled",
    Reminder.Kind.MOVED: "reminders/email/moved",
}


class Composer:
    """Builds the messages of one batch, rendering each meeting's text once."""

    def __init__(self):
        self._emails: dict[tuple, EmailMultiAlternatives] = {}
        self._sms: dict[tuple, str] = {}

    def _key(self, row: Reminder) -> tuple:
        sub: ReminderSubscription = row.subscription
        occurrence = row.occurrence
        if occurrence is None:
            return (row.kind, sub.group_id, sub.language, sub.meetings, sub.timing)
        return (row.kind, occurrence.pk, occurrence.starts_at, occurrence.status, sub.language)

    def _context(self, row: Reminder) -> dict:
        sub = row.subscription
        context = {"kind": row.kind, "subscription": sub, **links(TOKEN)}
        if row.occurrence is not None:
            context.update(meeting_context(row.occurrence))
        else:
            context["group"] = sub.group
            context["confirm_hours"] = settings.REMINDERS_CONFIRM_HOURS
        return context

    def _email_template(self, row: Reminder) -> EmailMultiAlternatives:
        key = self._key(row)
        if key not in self._emails:
            language = row.subscription.language
            with translation.override(language):
                context = self._context(row)
                attachments = []
                if row.occurrence is not None:
                    ics = occurrence_ics(
                        occurrence=row.occurrence,
                        place=context["place"],
                        description=context["what_to_expect"],
                        url=context["group_url"],
                    )
                    attachments.append(("meeting.ics", ics, "text/calendar"))
            self._emails[key] = build_email(
                to=[],
                template=TEMPLATES[row.kind],
                context=context,
                language=language,
                attachments=attachments,
            )
        return self._emails[key]

    def email(self, row: Reminder) -> EmailMultiAlternatives:
        """The message for this row's person, with their own links and unsubscribe headers."""
        template = self._email_template(row)
        token = row.subscription.token
        fill = lambda text: text.replace(TOKEN, token)  # noqa: E731
        headers = {"X-Kindred-Reminder": str(row.pk)}
        if row.kind != Reminder.Kind.CONFIRMATION:
            # RFC 8058 one-click unsubscribe: mail clients POST to this URL.
            headers["List-Unsubscribe"] = f"<{links(token)['unsubscribe_url']}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(
            subject=template.subject,
            body=fill(template.body),
            from_email=template.from_email,
            to=[row.subscription.email],
            headers=headers,
        )
        for content, mimetype in template.alternatives:
            message.attach_alternative(fill(content), mimetype)
        for attachment in template.attachments:
            message.attach(*attachment)
        return message

    def sms_body(self, row: Reminder) -> str:
        key = self._key(row)
        if key not in self._sms:
            with translation.override(row.subscription.language):
                context = meeting_context(row.occurrence)
                values = {
                    "site": settings.SITE_NAME,
                    "group": context["group"].name,
                    "when": context["when"],
                    "place": context["place"] or context["join_url"],
                    "link": "{link}",
                }
                if row.kind == Reminder.Kind.CANCELLED:
                    text = _(
                        "%(site)s: %(group)s on %(when)s is cancelled. Change or stop: %(link)s"
                    )
                elif row.kind == Reminder.Kind.MOVED:
                    text = _(
                        "%(site)s: %(group)s has moved to %(when)s. %(place)s "
                        "Change or stop: %(link)s"
                    )
                else:
                    text = _(
                        "%(site)s reminder: %(group)s, %(when)s. %(place)s Change or stop: %(link)s"
                    )
                self._sms[key] = " ".join((text % values).split())
        return self._sms[key].replace("{link}", links(row.subscription.token)["manage_url"])

    def send_sms(self, row: Reminder) -> str:
        return send_sms(to=row.subscription.phone, body=self.sms_body(row))
