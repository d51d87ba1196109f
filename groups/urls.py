from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("", views.search, name="search"),
    path("groups/<int:pk>/", views.group_detail, name="detail"),
]
