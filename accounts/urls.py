from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from config.ratelimit import rate_limit

app_name = "accounts"

# Rate limits per client address on top of django-axes' per-(account, address) lockout:
# they slow credential stuffing across many accounts and email bombing via reset links.
_login = rate_limit(scope="login", rate="30/m", methods=("POST",))(views.LoginView.as_view())
_reset = rate_limit(scope="password-reset", rate="5/m", methods=("POST",))(
    auth_views.PasswordResetView.as_view(
        success_url=reverse_lazy("accounts:password_reset_done"),
        email_template_name="registration/password_reset_email.txt",
        html_email_template_name="registration/password_reset_email.html",
        subject_template_name="registration/password_reset_subject.txt",
        extra_email_context={"site_name": settings.SITE_NAME},
    )
)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", _login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", _reset, name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "second-factor/setup/",
        rate_limit(scope="2fa-setup", rate="10/m", key="user", methods=("POST",))(
            views.second_factor_setup
        ),
        name="second_factor_setup",
    ),
    path(
        "second-factor/",
        rate_limit(scope="2fa-verify", rate="10/m", key="user", methods=("POST",))(
            views.second_factor_verify
        ),
        name="second_factor_verify",
    ),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("organizations/<slug:slug>/members/", views.members, name="members"),
    path(
        "organizations/<slug:slug>/members/<int:membership_pk>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "invitation/<str:token>/",
        rate_limit(scope="invitation", rate="20/m")(views.invitation_accept),
        name="invitation_accept",
    ),
]
