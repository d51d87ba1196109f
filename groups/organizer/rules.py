"""Schedules in words ↔ RFC 5545 rules, and the preview of the meetings a rule makes.

Organizers never see RRULE syntax: they choose "weekly on Tuesday and Thursday",
"every 2 weeks", "the last Friday of the month" or "on the 15th", and these
functions build the rule (and read it back when a schedule is edited).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import MONTHLY, WEEKLY

from groups.schedule import Meeting, ScheduleError, expand, parse_rule

ONCE = "once"
WEEKLY_KIND = "weekly"
MONTHLY_WEEKDAY = "monthly_weekday"
MONTHLY_DATE = "monthly_date"

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = Python weekday()
PREVIEW_COUNT = 8
PREVIEW_HORIZON = timedelta(days=2 * 366)


@dataclass(frozen=True)
class RuleChoice:
    repeat: str
    weekdays: tuple[int, ...] = ()
    interval: int = 1
    week_of_month: int | None = None  # 1..4, or -1 for "last"
    weekday: int | None = None
    month_day: int | None = None


def build_rrule(choice: RuleChoice) -> str:
    """The RRULE (without the "RRULE:" prefix) for a choice; "" for a single meeting."""
    interval = f";INTERVAL={choice.interval}" if choice.interval > 1 else ""
    if choice.repeat == ONCE:
        return ""
    if choice.repeat == WEEKLY_KIND:
        days = ",".join(DAY_CODES[d] for d in sorted(choice.weekdays))
        return f"FREQ=WEEKLY{interval};BYDAY={days}"
    if choice.repeat == MONTHLY_WEEKDAY:
        return f"FREQ=MONTHLY{interval};BYDAY={choice.week_of_month}{DAY_CODES[choice.weekday]}"
    if choice.repeat == MONTHLY_DATE:
        return f"FREQ=MONTHLY{interval};BYMONTHDAY={choice.month_day}"
    raise ValueError(f"Unknown repeat kind {choice.repeat!r}")


def read_rrule(rule: str, start_date: date) -> RuleChoice | None:
    """The choice a stored rule came from; None if the rule is beyond the editor's words
    (an imported feed's rule, say), in which case the editor starts from scratch."""
    if not rule.strip():
        return RuleChoice(repeat=ONCE)
    try:
        parsed = parse_rule(rule, datetime.combine(start_date, time()))
    except ScheduleError:
        return None
    interval = parsed._interval
    if parsed._freq == WEEKLY and not parsed._bynweekday:
        return RuleChoice(WEEKLY_KIND, tuple(sorted(parsed._byweekday or ())), interval)
    if parsed._freq == MONTHLY and parsed._bynweekday and len(parsed._bynweekday) == 1:
        weekday, nth = parsed._bynweekday[0]
        if nth in (1, 2, 3, 4, -1):
            return RuleChoice(
                MONTHLY_WEEKDAY, interval=interval, week_of_month=nth, weekday=weekday
            )
    if parsed._freq == MONTHLY and parsed._bymonthday and len(parsed._bymonthday) == 1:
        return RuleChoice(MONTHLY_DATE, interval=interval, month_day=parsed._bymonthday[0])
    return None


def preview(
    *,
    rule: str,
    start_date: date,
    start_time: time,
    duration_minutes: int,
    time_zone: str,
    end_date: date | None,
    now: datetime,
    count: int = PREVIEW_COUNT,
) -> list[Meeting]:
    """The next `count` meetings the schedule will produce from now (or from its start)."""
    meetings = expand(
        rule=rule,
        start_date=start_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=time_zone,
        end_date=end_date,
        window_start=now,
        window_end=now + PREVIEW_HORIZON,
    )
    return meetings[:count]
