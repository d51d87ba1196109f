"""What happens when one meeting changes: the seam between organizers and reminders.

The organizer pages call `occurrence_changed` after the change commits; the
reminders capability tells everyone who asked for a reminder of that meeting
(subscribers and referred clients), and stops reminders for a cancelled one.
"""


def occurrence_changed(*, occurrence_id: int) -> None:
    """Queue word of a cancelled or moved meeting to everyone with a reminder for it.

    Call it inside `transaction.on_commit`. Implemented by groups/reminders/.
    """
    from groups.reminders.services import reminders_occurrence_changed

    reminders_occurrence_changed(occurrence_id=occurrence_id)
