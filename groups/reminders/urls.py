"""Mounted at the site root: the sign-up page sits under the group's own path,
everything else under /reminders/."""

from django.urls import path

from groups.reminders import views

app_name = "reminders"

urlpatterns = [
    path("groups/<int:pk>/remind/", views.signup, name="signup"),
    path("reminders/check-your-email/", views.check_email, name="check_email"),
    path("reminders/confirm/<str:token>/", views.confirm, name="confirm"),
    path("reminders/manage/<str:token>/", views.manage, name="manage"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("reminders/failed/", views.failed, name="failed"),
    path("reminders/failed/<int:pk>/retry/", views.retry, name="retry"),
]
