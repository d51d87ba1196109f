from groups.models.directory import Group, Location, Occurrence, Partner, Schedule
from groups.models.moderation import ListingChange, ListingRevision, VerificationReminder

__all__ = ["Group", "Location", "Occurrence", "Partner", "Schedule"]
__all__ += ["ListingChange", "ListingRevision", "VerificationReminder"]
