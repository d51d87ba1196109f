from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import health
from config.i18n import set_language

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("language/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("referrals/", include("referrals.urls")),
    path("organizer/", include("groups.organizer.urls")),
    path("moderation/", include("groups.moderation.urls")),
    path("admin/", admin.site.urls),
    path("api/hsds/", include("groups.hsds.urls")),
    path("moderation/partners/", include("groups.feeds.urls")),
    path("", include("groups.reminders.urls")),
    path("", include("groups.urls")),
]

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME

handler500 = "config.errors.server_error"
