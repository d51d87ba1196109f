from groups.models.directory import Group, Location, Occurrence, Partner, Schedule

__all__ = ["Group", "Location", "Occurrence", "Partner", "Schedule"]
