from django.urls import path

from groups.organizer import views

app_name = "organizer"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("groups/new/", views.group_create, name="group_create"),
    path("events/new/", views.event_create, name="event_create"),
    path("groups/<int:group_pk>/", views.group_manage, name="group_manage"),
    path("groups/<int:group_pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:group_pk>/submit/", views.group_submit, name="group_submit"),
    path("groups/<int:group_pk>/confirm/", views.group_confirm, name="group_confirm"),
    path("groups/<int:group_pk>/history/", views.group_history, name="group_history"),
    path("groups/<int:group_pk>/schedules/new/", views.schedule_create, name="schedule_create"),
    path("schedules/<int:schedule_pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path("schedules/<int:schedule_pk>/delete/", views.schedule_delete, name="schedule_delete"),
    path("meetings/<int:occurrence_pk>/cancel/", views.occurrence_cancel, name="occurrence_cancel"),
    path("meetings/<int:occurrence_pk>/move/", views.occurrence_move, name="occurrence_move"),
]
