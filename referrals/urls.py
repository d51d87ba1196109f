from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("new/<int:group_pk>/", views.referral_create, name="create"),
    path("caseload/", views.caseload, name="caseload"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/update/", views.referral_update, name="update"),
    path("<int:pk>/revoke-consent/", views.consent_revoke, name="revoke_consent"),
    path("<int:pk>/send-again/", views.referral_resend, name="resend"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("audit/", views.audit_log, name="audit_log"),
    # The client's private link: no account; the token is the key (stored hashed).
    path("r/<str:token>/", views.client_link, name="client_link"),
]
