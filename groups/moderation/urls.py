from django.urls import path

from groups.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("revisions/<int:revision_pk>/", views.revision_review, name="revision_review"),
    path("revisions/<int:revision_pk>/approve/", views.revision_approve, name="revision_approve"),
    path(
        "revisions/<int:revision_pk>/send-back/",
        views.revision_send_back,
        name="revision_send_back",
    ),
    path("groups/<int:group_pk>/archive/", views.group_archive, name="group_archive"),
]
