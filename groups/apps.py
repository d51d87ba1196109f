from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups directory")

    def ready(self):
        from django.core.signals import setting_changed

        setting_changed.connect(_forget_frame, dispatch_uid="kindred-forget-frame")


def _forget_frame(**kwargs):
    """The page frame's cached parts, and the search form's fields, are drawn from
    settings (site name, crisis line, static files, distances offered), and the
    search's kept WHERE clauses can depend on them; a changed setting (tests'
    override_settings) draws and compiles them again."""
    from django.conf import settings
    from django.core.cache import caches

    from groups.selectors import forget_where_clauses
    from groups.templatetags.kindred_groups import forget_drawn_fields

    if "frame" in settings.CACHES:
        caches["frame"].clear()
    forget_drawn_fields()  # the search form's radius choices come from settings
    forget_where_clauses()  # the published groups' clause can depend on settings
