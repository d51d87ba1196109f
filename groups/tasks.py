from celery import shared_task

from groups import services


@shared_task(name="groups.refresh_occurrences")
def refresh_occurrences(group_id: int) -> None:
    services.occurrences_refresh(group_id=group_id)


@shared_task(name="groups.refresh_all_occurrences")
def refresh_all_occurrences() -> None:
    services.occurrences_refresh_all()


@shared_task(name="groups.geocode_location")
def geocode_location(location_id: int) -> None:
    services.location_geocode(location_id=location_id)


@shared_task(name="groups.geocode_pending_locations")
def geocode_pending_locations() -> None:
    services.locations_geocode_pending()
