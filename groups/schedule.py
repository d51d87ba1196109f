"""Recurring schedules: RFC 5545 rules expanded in the group's own time zone.

A rule is expanded on naive local wall-clock times and each result is then put
in the IANA zone, so a 6 pm meeting stays at 6 pm across daylight-saving changes.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_EXPANSION = 500  # no rule yields more than this many meetings in one window


class ScheduleError(ValueError):
    """A rule, time zone or date that cannot make a schedule; the message is for people."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(_("“%(zone)s” is not a time zone we know.") % {"zone": name}) from None


def parse_rule(rule: str, dtstart: datetime) -> rrule:
    """An RRULE (without the 'RRULE:' prefix) anchored at a naive local start."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    try:
        parsed = rrulestr(text, dtstart=dtstart, ignoretz=True)
    except (ValueError, TypeError):
        raise ScheduleError(_("The repeat rule could not be understood.")) from None
    if not isinstance(parsed, rrule):
        raise ScheduleError(_("Only a single repeat rule is supported."))
    if parsed._freq not in (DAILY, WEEKLY, MONTHLY, YEARLY):
        raise ScheduleError(_("Meetings can repeat daily, weekly, monthly or yearly only."))
    return parsed


@dataclass(frozen=True)
class Meeting:
    starts_at: datetime  # aware, in the schedule's zone
    ends_at: datetime


def expand(
    *,
    rule: str,
    start_date: date,
    start_time: time,
    duration_minutes: int,
    time_zone: str,
    end_date: date | None,
    window_start: datetime,
    window_end: datetime,
    exdates: frozenset[date] = frozenset(),
) -> list[Meeting]:
    """Meetings whose start falls in [window_start, window_end), oldest first.

    An empty rule means one meeting on start_date.
    """
    tz = zone(time_zone)
    first = datetime.combine(start_date, start_time)
    if rule.strip():
        rules = parse_rule(rule, first)
        local_from = window_start.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
        local_to = window_end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
        candidates = []
        for local in rules.xafter(max(local_from, first - timedelta(seconds=1)), inc=True):
            if local > local_to or len(candidates) >= MAX_EXPANSION:
                break
            candidates.append(local)
    else:
        candidates = [first]
    meetings = []
    for local in candidates:
        if end_date and local.date() > end_date:
            break
        if local.date() in exdates:
            continue
        starts = _localize(local, tz)
        if window_start <= starts < window_end:
            meetings.append(Meeting(starts, starts + timedelta(minutes=duration_minutes)))
    return meetings


def _localize(local: datetime, tz: ZoneInfo) -> datetime:
    """Attach the zone; a time skipped by a spring-forward change moves past the gap."""
    aware = local.replace(tzinfo=tz)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local:
        return round_trip  # in the gap: e.g. 2:30 am becomes 3:30 am
    return aware


# --- In words ------------------------------------------------------------------------------

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _ordinal(n: int) -> str:
    words = {
        1: _("1st"),
        2: _("2nd"),
        3: _("3rd"),
        4: _("4th"),
        5: _("5th"),
        -1: _("last"),
        -2: _("second to last"),
    }
    return words.get(n, str(n))


def _day_names(weekdays) -> str:
    # Django's own day names: lowercase mid-sentence where the language wants it ("lunes").
    names = [str(WEEKDAYS[d]) for d in sorted(weekdays)]
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def time_range(start_time: time, duration_minutes: int) -> str:
    end = (
        datetime.combine(date(2000, 1, 1), start_time) + timedelta(minutes=duration_minutes)
    ).time()
    return f"{formats.time_format(start_time)}–{formats.time_format(end)}"


def describe(*, rule: str, start_date: date, start_time: time, duration_minutes: int) -> str:
    """“Every 2nd Tuesday of the month, 6 p.m.–7:30 p.m.” for a rule and its times."""
    when = time_range(start_time, duration_minutes)
    if not rule.strip():
        return _("Once, on %(date)s, %(time)s") % {
            "date": formats.date_format(start_date, "DATE_FORMAT"),
            "time": when,
        }
    parsed = parse_rule(rule, datetime.combine(start_date, start_time))
    freq, interval = parsed._freq, parsed._interval
    if freq == DAILY:
        text = ngettext("Every day", "Every %(n)d days", interval) % {"n": interval}
    elif freq == WEEKLY:
        days = _day_names(parsed._byweekday or (start_date.weekday(),))
        if interval == 1:
            text = _("Every %(days)s") % {"days": days}
        else:
            text = ngettext("Every week on %(days)s", "Every %(n)d weeks on %(days)s", interval) % {
                "n": interval,
                "days": days,
            }
    elif freq == MONTHLY and parsed._bynweekday:
        day, nth = parsed._bynweekday[0]
        text = _("Every %(nth)s %(day)s of the month") % {
            "nth": _ordinal(nth),
            "day": _day_names([day]),
        }
        if interval > 1:
            text += " " + _("(every %(n)d months)") % {"n": interval}
    elif freq == MONTHLY:
        monthday = (parsed._bymonthday or (start_date.day,))[0]
        text = _("Every month on day %(day)d") % {"day": monthday}
        if interval > 1:
            text += " " + _("(every %(n)d months)") % {"n": interval}
    else:
        text = _("Every year on %(date)s") % {
            "date": formats.date_format(start_date, "MONTH_DAY_FORMAT")
        }
    return _("%(when)s, %(time)s") % {"when": text, "time": when}
