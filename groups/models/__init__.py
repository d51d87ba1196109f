from groups.models.directory import Group, Location, Occurrence, Partner, Schedule
from groups.models.moderation import ListingChange, ListingRevision, VerificationReminder

__all__ = ["Group", "Location", "Occurrence", "Partner", "Schedule"]
__all__ += ["ListingChange", "ListingRevision", "VerificationReminder"]

from groups.models.feeds import (  # noqa: E402
    FEED_FIELDS,
    FeedRecord,
    ImportRun,
    PartnerFeedState,
    RejectedRecord,
    StagedRecord,
)

__all__ += [
    "FEED_FIELDS",
    "FeedRecord",
    "ImportRun",
    "PartnerFeedState",
    "RejectedRecord",
    "StagedRecord",
]

from groups.models.reminders import Reminder, ReminderSubscription  # noqa: E402

__all__ += ["Reminder", "ReminderSubscription"]
