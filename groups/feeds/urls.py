from django.urls import path

from groups.feeds import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("new/", views.partner_create, name="create"),
    path("<slug:slug>/", views.partner_detail, name="detail"),
    path("<slug:slug>/edit/", views.partner_edit, name="edit"),
    path("<slug:slug>/run/", views.partner_run, name="run"),
    path("<slug:slug>/upload/", views.partner_upload, name="upload"),
    path("<slug:slug>/runs/<int:run_id>/", views.run_report, name="report"),
]
