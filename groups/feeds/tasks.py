"""Thin Celery wrappers over the pipeline. Ids only; queued after commit."""

from celery import shared_task

from groups.feeds import schedule


@shared_task(name="feeds.dispatch_due_imports")
def dispatch_due_imports() -> int:
    return schedule.partners_dispatch_due()


@shared_task(name="feeds.import_partner")
def import_partner(partner_id: int, trigger: str = "schedule") -> None:
    from groups.feeds.pipeline import feed_import

    feed_import(partner_id=partner_id, trigger=trigger)


@shared_task(name="feeds.refresh_run_occurrences")
def refresh_run_occurrences(run_id: int) -> int:
    return schedule.run_occurrences_refresh(run_id=run_id)
