from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals

        from accounts import security_log

        signals.user_logged_in.connect(security_log.on_user_logged_in, dispatch_uid="sec-in")
        signals.user_logged_out.connect(security_log.on_user_logged_out, dispatch_uid="sec-out")
        signals.user_login_failed.connect(
            security_log.on_user_login_failed, dispatch_uid="sec-failed"
        )
        user_locked_out.connect(security_log.on_user_locked_out, dispatch_uid="sec-locked")

        from accounts.admin import replace_otp_admin

        replace_otp_admin()
