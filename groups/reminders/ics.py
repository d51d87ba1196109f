"""The calendar attachment (RFC 5545) for one meeting."""

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from groups.models import Occurrence


def occurrence_ics(*, occurrence: Occurrence, place: str, description: str, url: str) -> bytes:
    """One VEVENT; a cancelled meeting is sent with METHOD:CANCEL so calendars drop it."""
    cancelled = occurrence.status == Occurrence.Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Meeting reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    host = urlsplit(settings.SITE_URL).hostname or "kindred.invalid"
    event.add("uid", f"occurrence-{occurrence.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", occurrence.starts_at)
    event.add("dtend", occurrence.ends_at)
    # Each change must raise the sequence for calendars to take the new version.
    changed: datetime | None = occurrence.changed_at
    event.add("sequence", int(changed.timestamp()) // 60 % 2**31 if changed else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", occurrence.group.name)
    if place:
        event.add("location", place)
    event.add("description", description)
    event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()
