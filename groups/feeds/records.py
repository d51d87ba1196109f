"""What every parser yields, whatever the format."""

from dataclasses import dataclass, field


class FeedParseError(Exception):
    """The feed as a whole cannot be read; the message is for the partner page."""


@dataclass
class RawRecord:
    """One service as the partner sent it (an HSDS 3.0 service object), or why not."""

    position: int
    data: object = None
    error: str = ""
    # Set by parsers whose format says more than HSDS can (iCalendar EXDATE, TZID).
    extras: dict = field(default_factory=dict)
