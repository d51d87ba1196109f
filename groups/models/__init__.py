from groups.models.directory import Group, Location, Occurrence, Partner, Schedule

__all__ = ["Group", "Location", "Occurrence", "Partner", "Schedule"]
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
