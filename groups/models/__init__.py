from groups.models.directory import Group, Location, Occurrence, Partner, Schedule

__all__ = ["Group", "Location", "Occurrence", "Partner", "Schedule"]
from groups.models.reminders import Reminder, ReminderSubscription  # noqa: E402

__all__ += ["Reminder", "ReminderSubscription"]
