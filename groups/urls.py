from django.urls import path

from groups import api, views

app_name = "groups"

urlpatterns = [
    path("", views.search, name="search"),
    path("groups/<int:pk>/", views.group_detail, name="detail"),
    path("groups/<int:pk>/calendar.ics", views.ics_series, name="ics_series"),
    path(
        "groups/<int:pk>/meetings/<int:occurrence_pk>.ics",
        views.ics_occurrence,
        name="ics_occurrence",
    ),
    path("moderation/unlocated/", views.unlocated, name="unlocated"),
    path("api/groups/", api.search, name="api_search"),
    path("api/groups/<int:pk>/", api.detail, name="api_detail"),
    path("api/openapi.json", api.openapi, name="api_openapi"),
]
