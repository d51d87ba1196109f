"""The permission matrix: every URL name × every role × GET and POST.

Each URL name has a row in ROWS saying, for GET and for POST, what status each role gets.
A URL name with no row FAILS `test_every_url_name_has_a_row`, so a new page cannot ship
unclassified. Every response in the run is also checked for the security headers, and
anonymous GETs of rows marked `cookieless` must set no cookie.

Adding a row (docs/security.md has more):

    Row("reminders:manage", kwargs=lambda w: {"token": w.resident_token},
        get=PUBLIC, post=PUBLIC, cookieless=False),
    Row("referrals:detail", kwargs=lambda w: {"pk": w.referral_a.pk},
        get=expect(404, case_worker_a=200, anonymous=LOGIN, unverified=OTP),
        post=...),

- `expect(default, **role=status)`: `resident` and `deactivated` follow `anonymous`
  unless given. A status is an int, or LOGIN / OTP (a 302 to the sign-in or the second
  factor page), REDIRECT (any other 302), or REFUSED (302/403/404/405, never a page).
- Objects belong to organization A (provider_a / agency_a). For "B's object answers 404"
  add a second row of the same name with `label="B's"` and kwargs pointing at B's object.
- Build what a row needs in `World` (one instance for the whole run).
"""

import dataclasses
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    PartnerFactory,
    ReminderSubscriptionFactory,
    ScheduleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN, OTP, REDIRECT, REFUSED = "login", "otp", "redirect", "refused"
ROLES = (
    "anonymous",
    "resident",
    "organizer_a",
    "organizer_b",
    "case_worker_a",
    "case_worker_b",
    "org_admin",
    "moderator",
    "deactivated",
    "unverified",
)
SIGNED_IN_ROLES = {
    "organizer_a",
    "organizer_b",
    "case_worker_a",
    "case_worker_b",
    "org_admin",
    "moderator",
    "unverified",
}


def expect(default, **by_role) -> dict:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    table = dict.fromkeys(ROLES, default)
    if "anonymous" in by_role:
        table["resident"] = table["deactivated"] = by_role["anonymous"]
    table.update(by_role)
    return table


PUBLIC = expect(200)
NOT_ALLOWED = expect(405)
SIGNED_IN = expect(200, anonymous=LOGIN, unverified=OTP)
SIGNED_IN_NOT_ALLOWED = expect(405, anonymous=LOGIN, unverified=OTP)
# An organization-A object that only its admin manages: a plain member is refused (403),
# anyone outside the organization is told nothing exists (404).
ORG_A_ADMIN_ONLY = expect(404, org_admin=200, organizer_a=403, anonymous=LOGIN, unverified=OTP)
# Public and read-only (require_GET): anyone reads, nobody posts.
READ_ONLY = PUBLIC
NO_POST = NOT_ALLOWED
# A view whose method check comes before its sign-in check: a wrong method is 405 for
# everyone, except the unverified, whom the second-factor middleware stops first.
WRONG_METHOD = expect(405, unverified=OTP)
MODERATOR_ONLY = expect(403, moderator=200, anonymous=LOGIN, unverified=OTP)
# A page for anyone who runs listings in a provider organization (A's, B's, A's admin).
ORGANIZERS = expect(
    403, organizer_a=200, organizer_b=200, org_admin=200, anonymous=LOGIN, unverified=OTP
)
# An organization-A listing object: A's organizers manage it, B's are told it does not
# exist (404), people who run no listings are refused (403).
ORG_A_LISTING = expect(
    403, organizer_a=200, org_admin=200, organizer_b=404, anonymous=LOGIN, unverified=OTP
)
ORG_B_LISTING = expect(
    403, organizer_b=200, organizer_a=404, org_admin=404, anonymous=LOGIN, unverified=OTP
)
CASE_WORKERS = expect(403, case_worker_a=200, case_worker_b=200, anonymous=LOGIN, unverified=OTP)


def _signed_in(default, **by_role) -> dict:
    """Like expect(), but anonymous people sign in first and the unverified verify first."""
    return expect(default, **({"anonymous": LOGIN, "unverified": OTP} | by_role))


def _listing_rows(name, *, a, b, get, post, get_b=None, post_b=None) -> list:
    """An organizer page of A's object, and the same page of B's object."""
    return [
        Row(name, kwargs=a, get=get, post=post),
        Row(name, label="B's", kwargs=b, get=get_b or ORG_B_LISTING, post=post_b or ORG_B_LISTING),
    ]


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    get: dict
    post: dict
    kwargs: Callable[["World"], dict] | None = None
    label: str = ""
    cookieless: bool = False  # anonymous GET must set no cookie
    post_ends_session: bool = False  # a POST signs the role out: sign it in again after


ROWS = [
    Row("healthz", get=PUBLIC, post=NOT_ALLOWED, cookieless=True),
    Row("readyz", get=PUBLIC, post=NOT_ALLOWED, cookieless=True),
    Row("set_language", get=NOT_ALLOWED, post=expect(302)),
    Row("accounts:home", get=SIGNED_IN, post=SIGNED_IN),
    Row(
        "accounts:login",
        get=expect(REDIRECT, anonymous=200, unverified=OTP),
        post=expect(REDIRECT, anonymous=200, unverified=OTP),
    ),
    Row("accounts:logout", get=NOT_ALLOWED, post=expect(REDIRECT), post_ends_session=True),
    Row("accounts:password_reset", get=PUBLIC, post=PUBLIC),
    Row("accounts:password_reset_done", get=PUBLIC, post=NOT_ALLOWED),
    Row(
        "accounts:password_reset_confirm",
        kwargs=lambda w: w.reset_kwargs,
        get=PUBLIC,  # a spent or forged link: the "link has expired" page
        post=PUBLIC,
    ),
    Row("accounts:password_reset_complete", get=PUBLIC, post=NOT_ALLOWED),
    Row("accounts:password_change", get=SIGNED_IN, post=SIGNED_IN),
    Row("accounts:password_change_done", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Row(
        "accounts:second_factor_setup",
        get=expect(REDIRECT, anonymous=LOGIN, unverified=REDIRECT),
        post=expect(REDIRECT, anonymous=LOGIN, unverified=REDIRECT),
    ),
    Row(
        "accounts:second_factor_verify",
        get=expect(REDIRECT, anonymous=LOGIN, unverified=200),
        post=expect(REDIRECT, anonymous=LOGIN, unverified=200),
    ),
    Row("accounts:recovery_codes", get=SIGNED_IN, post=SIGNED_IN),
    Row(
        "accounts:members",
        kwargs=lambda w: {"slug": w.provider_a.slug},
        get=ORG_A_ADMIN_ONLY,
        post=ORG_A_ADMIN_ONLY,
    ),
    Row(
        "accounts:members",
        label="B's",
        kwargs=lambda w: {"slug": w.provider_b.slug},
        get=expect(404, organizer_b=403, anonymous=LOGIN, unverified=OTP),
        post=expect(404, organizer_b=403, anonymous=LOGIN, unverified=OTP),
    ),
    Row(
        "accounts:member_deactivate",
        kwargs=lambda w: {"slug": w.provider_a.slug, "membership_pk": w.victim_a.pk},
        get=SIGNED_IN_NOT_ALLOWED,
        post=expect(404, org_admin=REDIRECT, organizer_a=403, anonymous=LOGIN, unverified=OTP),
    ),
    Row(
        "accounts:member_deactivate",
        label="B's",
        kwargs=lambda w: {"slug": w.provider_a.slug, "membership_pk": w.victim_b.pk},
        get=SIGNED_IN_NOT_ALLOWED,
        post=expect(404, organizer_a=403, anonymous=LOGIN, unverified=OTP),
    ),
    Row(
        "accounts:invitation_accept",
        kwargs=lambda w: {"token": w.invitation_token},
        get=PUBLIC,
        post=PUBLIC,  # an empty form comes back with its errors
    ),
    Row(
        "accounts:invitation_accept",
        label="unknown token",
        kwargs=lambda w: {"token": "not-a-token"},
        get=expect(404),
        post=expect(404),
    ),
    # Django's admin, explicitly: the door for non-staff and the unverified.
    Row(
        "admin:index",
        get=expect(LOGIN, moderator=200, unverified=OTP),
        post=expect(LOGIN, moderator=200, unverified=OTP),
    ),
    Row("admin:login", get=expect(LOGIN, unverified=OTP), post=expect(LOGIN, unverified=OTP)),
    Row(
        "admin:logout",
        # Not staff: the admin sends them to its index, whose door sends them to sign in.
        get=expect(REDIRECT, moderator=405, unverified=OTP),
        post=expect(REDIRECT, unverified=OTP),
        post_ends_session=True,
    ),
    Row(
        "admin:password_change",  # forwarded to ours, which ends the other sessions
        get=expect(LOGIN, moderator=REDIRECT, unverified=OTP),
        post=expect(LOGIN, moderator=REDIRECT, unverified=OTP),
    ),
    Row(
        "admin:password_change_done",
        get=expect(LOGIN, moderator=200, unverified=OTP),
        post=expect(LOGIN, moderator=405, unverified=OTP),
    ),
    Row(
        "admin:jsi18n",  # the admin's translation catalogue, behind the door too
        get=expect(LOGIN, moderator=200, unverified=OTP),
        post=expect(LOGIN, moderator=405, unverified=OTP),
    ),
]


# --- The public directory (groups) ------------------------------------------------------------
ROWS += [
    Row("groups:search", get=READ_ONLY, post=NO_POST, cookieless=True),
    Row(
        "groups:detail",
        kwargs=lambda w: {"pk": w.group_a.pk},
        get=READ_ONLY,
        post=NO_POST,
        cookieless=True,
    ),
    Row(  # a listing nobody may see yet, not even its own organizers, on the public page
        "groups:detail",
        label="a draft",
        kwargs=lambda w: {"pk": w.draft_a.pk},
        get=expect(404),
        post=NO_POST,
    ),
    Row(
        "groups:ics_series",
        kwargs=lambda w: {"pk": w.group_a.pk},
        get=READ_ONLY,
        post=NO_POST,
        cookieless=True,
    ),
    Row(
        "groups:ics_occurrence",
        kwargs=lambda w: {"pk": w.group_a.pk, "occurrence_pk": w.occurrence_a.pk},
        get=READ_ONLY,
        post=NO_POST,
        cookieless=True,
    ),
    Row(
        "groups:ics_occurrence",
        label="another group's meeting",
        kwargs=lambda w: {"pk": w.group_a.pk, "occurrence_pk": w.occurrence_b.pk},
        get=expect(404),
        post=NO_POST,
    ),
    Row("groups:api_search", get=READ_ONLY, post=NO_POST, cookieless=True),
    Row(
        "groups:api_detail",
        kwargs=lambda w: {"pk": w.group_a.pk},
        get=READ_ONLY,
        post=NO_POST,
        cookieless=True,
    ),
    Row(
        "groups:api_detail",
        label="a draft",
        kwargs=lambda w: {"pk": w.draft_a.pk},
        get=expect(404),
        post=NO_POST,
    ),
    Row("groups:api_openapi", get=READ_ONLY, post=NO_POST, cookieless=True),
    Row("groups:unlocated", get=MODERATOR_ONLY, post=MODERATOR_ONLY),
]

# --- HSDS API: public, read-only, cookieless ----------------------------------------------------
ROWS += [
    Row(f"hsds:{name}", kwargs=kwargs, get=READ_ONLY, post=NO_POST, cookieless=True)
    for name, kwargs in (
        ("root", None),
        ("openapi", None),
        ("services", None),
        ("service", lambda w: {"id": w.hsds_ids["service"]}),
        ("organizations", None),
        ("organization", lambda w: {"id": w.hsds_ids["organization"]}),
        ("service_at_locations", None),
        ("service_at_location", lambda w: {"id": w.hsds_ids["service_at_location"]}),
        ("taxonomies", None),
        ("taxonomy", lambda w: {"id": w.hsds_ids["taxonomy"]}),
        ("taxonomy_terms", None),
        ("taxonomy_term", lambda w: {"id": w.hsds_ids["taxonomy_term"]}),
    )
] + [
    Row(
        "hsds:service",
        label="a draft",
        kwargs=lambda w: {"id": w.hsds_ids["draft"]},
        get=expect(404),
        post=NO_POST,
    )
]

# --- Organizers (groups/organizer) ---------------------------------------------------------------
_A_GROUP, _B_GROUP = (lambda w: {"group_pk": w.group_a.pk}), (lambda w: {"group_pk": w.group_b.pk})
_A_SCHEDULE = lambda w: {"schedule_pk": w.schedule_a.pk}  # noqa: E731
_B_SCHEDULE = lambda w: {"schedule_pk": w.schedule_b.pk}  # noqa: E731
_A_MEETING = lambda w: {"occurrence_pk": w.occurrence_a.pk}  # noqa: E731
_B_MEETING = lambda w: {"occurrence_pk": w.occurrence_b.pk}  # noqa: E731
_A_POSTED = _signed_in(403, organizer_a=REDIRECT, org_admin=REDIRECT, organizer_b=404)
_B_POSTED = _signed_in(403, organizer_b=REDIRECT, organizer_a=404, org_admin=404)
ROWS += [
    Row("organizer:dashboard", get=ORGANIZERS, post=ORGANIZERS),
    Row("organizer:group_create", get=ORGANIZERS, post=ORGANIZERS),  # POST {}: the form's errors
    Row("organizer:event_create", get=ORGANIZERS, post=ORGANIZERS),
    *_listing_rows(
        "organizer:group_manage", a=_A_GROUP, b=_B_GROUP, get=ORG_A_LISTING, post=ORG_A_LISTING
    ),
    *_listing_rows(
        "organizer:group_edit", a=_A_GROUP, b=_B_GROUP, get=ORG_A_LISTING, post=ORG_A_LISTING
    ),
    *_listing_rows(
        "organizer:group_submit",
        a=_A_GROUP,
        b=_B_GROUP,
        get=WRONG_METHOD,
        post=_A_POSTED,
        get_b=WRONG_METHOD,
        post_b=_B_POSTED,
    ),
    *_listing_rows(
        "organizer:group_confirm",
        a=_A_GROUP,
        b=_B_GROUP,
        get=WRONG_METHOD,
        post=_A_POSTED,
        get_b=WRONG_METHOD,
        post_b=_B_POSTED,
    ),
    # Moderators read every listing's history; B's organizers still see nothing of A's.
    *_listing_rows(
        "organizer:group_history",
        a=_A_GROUP,
        b=_B_GROUP,
        get=ORG_A_LISTING | {"moderator": 200},
        post=ORG_A_LISTING | {"moderator": 200},
        get_b=ORG_B_LISTING | {"moderator": 200},
        post_b=ORG_B_LISTING | {"moderator": 200},
    ),
    *_listing_rows(
        "organizer:schedule_create", a=_A_GROUP, b=_B_GROUP, get=ORG_A_LISTING, post=ORG_A_LISTING
    ),
    *_listing_rows(
        "organizer:schedule_edit",
        a=_A_SCHEDULE,
        b=_B_SCHEDULE,
        get=ORG_A_LISTING,
        post=ORG_A_LISTING,
    ),
    # POST deletes: organizer A's POST removes it, so A's admin, who posts later, finds nothing.
    *_listing_rows(
        "organizer:schedule_delete",
        a=lambda w: {"schedule_pk": w.doomed_schedule_a.pk},
        b=lambda w: {"schedule_pk": w.doomed_schedule_b.pk},
        get=ORG_A_LISTING,
        post=_A_POSTED | {"org_admin": 404},
        post_b=_B_POSTED,
    ),
    # POST {}: the reason / new date is missing, so the form comes back (200).
    *_listing_rows(
        "organizer:occurrence_cancel",
        a=_A_MEETING,
        b=_B_MEETING,
        get=ORG_A_LISTING,
        post=ORG_A_LISTING,
    ),
    *_listing_rows(
        "organizer:occurrence_move",
        a=_A_MEETING,
        b=_B_MEETING,
        get=ORG_A_LISTING,
        post=ORG_A_LISTING,
    ),
]

# --- Moderation (every organization's listings; moderators only) ------------------------------
ROWS += [
    Row("moderation:queue", get=MODERATOR_ONLY, post=MODERATOR_ONLY),
    Row(
        "moderation:revision_review",
        kwargs=lambda w: {"revision_pk": w.revision_a.pk},
        get=MODERATOR_ONLY,
        post=MODERATOR_ONLY,
    ),
    Row(
        "moderation:revision_approve",
        kwargs=lambda w: {"revision_pk": w.revision_a.pk},
        get=WRONG_METHOD,
        post=_signed_in(403, moderator=REDIRECT),
    ),
    Row(
        "moderation:revision_send_back",
        kwargs=lambda w: {"revision_pk": w.revision_a.pk},
        get=WRONG_METHOD,
        post=_signed_in(403, moderator=400),  # the note saying why is required
    ),
    Row(
        "moderation:group_archive",
        kwargs=lambda w: {"group_pk": w.group_a.pk},
        get=MODERATOR_ONLY,
        post=MODERATOR_ONLY,  # the note saying why is required: the form comes back
    ),
]

# --- Partner feeds (moderators only) ---------------------------------------------------------
_PARTNER = lambda w: {"slug": w.partner.slug}  # noqa: E731
ROWS += [
    Row("partners:list", get=MODERATOR_ONLY, post=MODERATOR_ONLY),
    Row("partners:create", get=MODERATOR_ONLY, post=MODERATOR_ONLY),
    Row("partners:detail", kwargs=_PARTNER, get=MODERATOR_ONLY, post=MODERATOR_ONLY),
    Row("partners:edit", kwargs=_PARTNER, get=MODERATOR_ONLY, post=MODERATOR_ONLY),
    Row(
        "partners:run", kwargs=_PARTNER, get=WRONG_METHOD, post=_signed_in(403, moderator=REDIRECT)
    ),
    Row("partners:upload", kwargs=_PARTNER, get=WRONG_METHOD, post=_signed_in(403, moderator=400)),
    Row(
        "partners:report",
        kwargs=lambda w: {"slug": w.partner.slug, "run_id": w.import_run.pk},
        get=MODERATOR_ONLY,
        post=MODERATOR_ONLY,
    ),
    Row(
        "partners:report",
        label="another partner's run",
        kwargs=lambda w: {"slug": w.other_partner.slug, "run_id": w.import_run.pk},
        get=_signed_in(403, moderator=404),
        post=_signed_in(403, moderator=404),
    ),
]

# --- Reminders: the resident's link pages are public; failed sends are moderators' -----------
ROWS += [
    Row("reminders:signup", kwargs=lambda w: {"pk": w.group_a.pk}, get=PUBLIC, post=PUBLIC),
    Row(
        "reminders:signup",
        label="a draft",
        kwargs=lambda w: {"pk": w.draft_a.pk},
        get=expect(404),
        post=expect(404),
    ),
    Row("reminders:check_email", get=PUBLIC, post=PUBLIC),
    Row(
        "reminders:confirm",
        kwargs=lambda w: {"token": w.unconfirmed_token},
        get=PUBLIC,
        post=expect(REDIRECT),  # confirmed, then on to the manage page
    ),
    Row(
        "reminders:confirm",
        label="unknown token",
        kwargs=lambda w: {"token": "nope"},
        get=expect(404),
        post=expect(404),
    ),
    Row("reminders:manage", kwargs=lambda w: {"token": w.resident_token}, get=PUBLIC, post=PUBLIC),
    Row(
        "reminders:manage",
        label="unknown token",
        kwargs=lambda w: {"token": "nope"},
        get=expect(404),
        post=expect(404),
    ),
    Row(
        "reminders:unsubscribe",
        kwargs=lambda w: {"token": w.leaving_token},
        get=PUBLIC,
        post=PUBLIC,
    ),
    Row("reminders:failed", get=MODERATOR_ONLY, post=MODERATOR_ONLY),
    Row(
        "reminders:retry",
        kwargs=lambda w: {"pk": w.failed_reminder.pk},
        get=SIGNED_IN_NOT_ALLOWED,
        post=_signed_in(403, moderator=REDIRECT),
    ),
]

# --- Referrals: A's referral (agency A → a group of provider A) and B's ------------------------
_A_REFERRAL = lambda w: {"pk": w.referral_a.pk}  # noqa: E731
_B_REFERRAL = lambda w: {"pk": w.referral_b.pk}  # noqa: E731
ROWS += [
    Row(
        "referrals:create",
        kwargs=lambda w: {"group_pk": w.group_a.pk},
        get=CASE_WORKERS,
        post=CASE_WORKERS,
    ),
    Row("referrals:caseload", get=CASE_WORKERS, post=CASE_WORKERS),
    Row(
        "referrals:detail",
        kwargs=_A_REFERRAL,
        get=_signed_in(404, case_worker_a=200),
        post=_signed_in(404, case_worker_a=200),
    ),
    Row(
        "referrals:detail",
        label="B's",
        kwargs=_B_REFERRAL,
        get=_signed_in(404, case_worker_b=200),
        post=_signed_in(404, case_worker_b=200),
    ),
    *[
        row
        for name, a, b in (
            ("referrals:update", _A_REFERRAL, _B_REFERRAL),
            ("referrals:resend", _A_REFERRAL, _B_REFERRAL),
            (
                "referrals:revoke_consent",
                lambda w: {"pk": w.revoking_referral_a.pk},
                lambda w: {"pk": w.revoking_referral_b.pk},
            ),
        )
        for row in (
            Row(name, kwargs=a, get=WRONG_METHOD, post=_signed_in(404, case_worker_a=REDIRECT)),
            Row(
                name,
                label="B's",
                kwargs=b,
                get=WRONG_METHOD,
                post=_signed_in(404, case_worker_b=REDIRECT),
            ),
        )
    ],
    Row("referrals:inbox", get=ORGANIZERS, post=ORGANIZERS),
    Row(
        "referrals:inbox_detail",
        kwargs=_A_REFERRAL,
        get=_signed_in(404, organizer_a=200, org_admin=200),
        post=_signed_in(404, organizer_a=REDIRECT, org_admin=REDIRECT),
    ),
    Row(
        "referrals:inbox_detail",
        label="B's",
        kwargs=_B_REFERRAL,
        get=_signed_in(404, organizer_b=200),
        post=_signed_in(404, organizer_b=REDIRECT),
    ),
    Row("referrals:report", get=CASE_WORKERS, post=CASE_WORKERS),
    Row("referrals:report_csv", get=CASE_WORKERS, post=CASE_WORKERS),
    Row("referrals:audit_log", get=MODERATOR_ONLY, post=MODERATOR_ONLY),
    # The client's private link: the token is the key, whoever holds it.
    Row(
        "referrals:client_link",
        kwargs=lambda w: {"token": w.client_token},
        get=PUBLIC,
        post=expect(REDIRECT),
    ),
    Row(
        "referrals:client_link",
        label="unknown token",
        kwargs=lambda w: {"token": "nope"},
        get=expect(404),
        post=expect(404),
    ),
]

# Every other admin page (one per registered model and action) behaves alike: only a
# verified moderator gets past the door, and Django's own model permissions decide there
# (a moderator without a model permission: 403). Django tests those permissions.
ADMIN_FALLBACK = expect(LOGIN, moderator=REFUSED, unverified=OTP)


class World:
    """What the rows point at: objects of organization A and of B, tokens, sample ids."""

    def __init__(self, actors):
        from accounts.models import Invitation
        from accounts.services import invitation_token_hash

        self.provider_a = actors["provider_a"]
        self.provider_b = actors["provider_b"]
        self.group_a = GroupFactory(organization=self.provider_a)
        self.victim_a = MembershipFactory(organization=self.provider_a)
        self.victim_b = MembershipFactory(organization=self.provider_b)
        self.invitation_token = "matrix-invitation-token"
        Invitation.objects.create(
            organization=self.provider_a,
            email="invited@example.org",
            role=Membership.Role.ORGANIZER,
            token_hash=invitation_token_hash(self.invitation_token),
            expires_at=timezone.now() + timezone.timedelta(days=1),
        )
        someone = UserFactory()
        self.reset_kwargs = {
            "uidb64": urlsafe_base64_encode(force_bytes(someone.pk)),
            "token": "forged-token",
        }
        self._build_directory(actors)
        self._build_moderation(actors)
        self._build_reminders()
        self._build_referrals(actors)

    def _build_directory(self, actors):
        from groups.hsds import ids, serializers
        from groups.models import Group
        from groups.services import occurrences_refresh

        self.group_b = GroupFactory(organization=self.provider_b)
        self.draft_a = GroupFactory(organization=self.provider_a, status=Group.Status.DRAFT)
        for group in (self.group_a, self.group_b):
            ScheduleFactory(group=group)
            occurrences_refresh(group_id=group.pk)
        self.schedule_a = self.group_a.schedules.get()
        self.schedule_b = self.group_b.schedules.get()
        self.occurrence_a = self.group_a.occurrences.order_by("starts_at").first()
        self.occurrence_b = self.group_b.occurrences.order_by("starts_at").first()
        # Deleted by the schedule_delete rows, so on groups no other row needs.
        self.doomed_schedule_a = ScheduleFactory(group=GroupFactory(organization=self.provider_a))
        self.doomed_schedule_b = ScheduleFactory(group=GroupFactory(organization=self.provider_b))
        self.hsds_ids = {
            "service": ids.make("service", self.group_a.pk),
            "organization": ids.make("organization", self.provider_a.pk),
            "service_at_location": ids.make("service_at_location", self.group_a.pk),
            "taxonomy": serializers.taxonomy(*serializers.TAXONOMIES[0])["id"],
            "taxonomy_term": serializers.all_terms()[0]["id"],
            "draft": ids.make("service", self.draft_a.pk),
        }

    def _build_moderation(self, actors):
        from groups.models import Group, ImportRun, Partner
        from groups.organizer.services import listing_submit

        waiting = GroupFactory(organization=self.provider_a, status=Group.Status.DRAFT)
        ScheduleFactory(group=waiting)
        self.revision_a = listing_submit(group=waiting, actor=actors["organizer_a"])
        self.partner = PartnerFactory(organization=self.provider_a)
        self.other_partner = PartnerFactory(organization=self.provider_b)
        self.import_run = ImportRun.objects.create(
            partner=self.partner, trigger=ImportRun.Trigger.UPLOAD, format=Partner.Format.HSDS_JSON
        )

    def _build_reminders(self):
        from groups.models import Reminder
        from groups.reminders.services import subscription_create

        def subscribe(email, *, confirmed):
            return subscription_create(
                group=self.group_a, email=email, confirmed=confirmed, language="en"
            )

        # The resident's client holds the link of a real, confirmed subscription.
        self.resident_token = subscribe("resident@example.org", confirmed=True).token
        self.unconfirmed_token = subscribe("newcomer@example.org", confirmed=False).token
        self.leaving_token = subscribe("leaving@example.org", confirmed=True).token
        self.failed_reminder = Reminder.objects.create(
            subscription=ReminderSubscriptionFactory(group=self.group_a),
            occurrence=self.occurrence_a,
            kind="day_before",
            due_at=timezone.now(),
            state=Reminder.State.FAILED,
            last_error="SMTPDataError",
        )

    def _build_referrals(self, actors):
        from referrals import messaging, services
        from referrals.models import Consent, Outbox

        def refer(case_worker, group):
            referral = services.referral_create(
                agency=case_worker.memberships.get().organization,
                group=group,
                case_worker=case_worker,
                client=services.ClientDetails(
                    name="J. D.",
                    contact_method="email",
                    contact_value="client@example.org",
                    preferred_language="en",
                    notes="",
                ),
                consent=services.ConsentRecord(
                    shared_fields=frozenset({"name", "contact", "language"}),
                    method=Consent.Method.VERBAL_WITNESSED,
                    given_at=timezone.now(),
                    valid_until=timezone.localdate() + timezone.timedelta(days=365),
                ),
            )
            return referral

        a, b = actors["case_worker_a"], actors["case_worker_b"]
        self.referral_a, self.referral_b = refer(a, self.group_a), refer(b, self.group_b)
        self.revoking_referral_a = refer(a, self.group_a)
        self.revoking_referral_b = refer(b, self.group_b)
        # The client's link exists only in the message: send it here and read it back.
        linked = refer(a, self.group_a)
        mail.outbox = []
        outbox = Outbox.objects.get(referral=linked, kind=Outbox.Kind.CLIENT_LINK)
        messaging.outbox_send(outbox_id=outbox.pk)
        (message,) = mail.outbox
        path = next(w for w in message.body.split() if "/referrals/r/" in w)
        self.client_token = path.rstrip("/").rsplit("/", 1)[-1]

    def kwargs_for(self, pattern) -> dict:
        sample = {"int": 1, "str": "sample", "slug": "sample", "path": "1"}
        if not pattern.pattern.converters:  # a regex route, e.g. the admin's app_list
            return dict.fromkeys(pattern.pattern.regex.groupindex, "accounts")
        return {
            key: sample.get(type(conv).__name__.replace("Converter", "").lower(), "1")
            for key, conv in pattern.pattern.converters.items()
        }


def _named_patterns(resolver=None, namespace="", prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


def _all_rows(world) -> list[tuple[Row, dict]]:
    rows = [(row, row.kwargs(world) if row.kwargs else {}) for row in ROWS]
    listed = {row.name for row in ROWS}
    for name, pattern in _named_patterns():
        if name.startswith("admin:") and name not in listed:
            fallback = Row(name, get=ADMIN_FALLBACK, post=ADMIN_FALLBACK)
            rows.append((fallback, world.kwargs_for(pattern)))
            listed.add(name)
    return rows


def test_every_url_name_has_a_row():
    """A new URL must be classified here before it can ship."""
    listed = {row.name for row in ROWS}
    missing = sorted(
        name
        for name, _ in _named_patterns()
        if name not in listed and not name.startswith("admin:")
    )
    assert not missing, (
        "URL names without a row in tests/security/test_permission_matrix.py ROWS "
        f"(see docs/security.md, 'Adding a row'): {missing}"
    )
    unknown = listed - {name for name, _ in _named_patterns()}
    assert not unknown, f"rows for URL names that no longer exist: {sorted(unknown)}"


def test_every_second_factor_exemption_names_real_urls():
    """No guessed names: each exempt pattern matches a URL that exists. (What each
    exemption lets through is the matrix's `unverified` column.)"""
    from fnmatch import fnmatchcase

    names = [name for name, _ in _named_patterns()]
    dead = [
        pattern
        for pattern in settings.KINDRED_SECOND_FACTOR_EXEMPT_URLS
        if not any(fnmatchcase(name, pattern) for name in names)
    ]
    assert not dead, f"KINDRED_SECOND_FACTOR_EXEMPT_URLS patterns matching no URL: {dead}"


def _matches(expected, response) -> bool:
    location = response.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and location.startswith(
            (reverse("accounts:login"), "/admin/login/")
        )
    if expected == OTP:
        return response.status_code == 302 and location.startswith(
            (reverse("accounts:second_factor_verify"), reverse("accounts:second_factor_setup"))
        )
    if expected == REDIRECT:
        return response.status_code == 302
    if expected == REFUSED:
        return response.status_code in (302, 403, 404, 405) and "/login/" not in location
    return response.status_code == expected


def _header_problems(role, response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        if directive not in csp:
            problems.append(f"CSP lacks {directive!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") != settings.SECURE_REFERRER_POLICY:
        problems.append("no Referrer-Policy")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy")
    if role in SIGNED_IN_ROLES and "no-store" not in response.get("Cache-Control", ""):
        problems.append("signed-in page without Cache-Control: no-store")
    return problems


class Clients:
    """One test client per role, each from its own address (so per-address rate limits
    measure the matrix, not the sum of every role's requests)."""

    def __init__(self, actors, login, login_without_second_factor):
        self.actors, self.login, self.half_login = actors, login, login_without_second_factor
        self.users = {
            role: actors[role]
            for role in ("organizer_a", "organizer_b", "case_worker_a", "case_worker_b")
        } | {"org_admin": actors["org_admin"], "moderator": actors["moderator"]}
        provider_a = actors["provider_a"]
        self.users["unverified"] = MembershipFactory(organization=provider_a).user
        self.users["deactivated"] = MembershipFactory(organization=provider_a).user
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=self.users["unverified"], name="phone", confirmed=True)
        self.clients = {role: self._build(role) for role in ROLES}
        from accounts.services import membership_deactivate

        membership_deactivate(
            membership=self.users["deactivated"].memberships.get(), by=actors["org_admin"]
        )

    def _build(self, role) -> Client:
        client = Client(REMOTE_ADDR=f"192.0.2.{ROLES.index(role) + 10}")
        if role == "unverified":
            self.half_login(client, self.users[role])
        elif role in self.users:
            self.login(client, self.users[role])
        return client

    def rebuild(self, role):
        if role != "deactivated":
            self.clients[role] = self._build(role)


@pytest.fixture
def actors(
    provider_a,
    provider_b,
    organizer_a,
    organizer_b,
    case_worker_a,
    case_worker_b,
    org_admin,
    moderator,
):
    return locals()


def test_permission_matrix(actors, login, login_without_second_factor):
    world = World(actors)
    clients = Clients(actors, login, login_without_second_factor)
    failures = []
    for row, kwargs in _all_rows(world):
        url = reverse(row.name, kwargs=kwargs or None)
        for method, expected_by_role in (("GET", row.get), ("POST", row.post)):
            for role in ROLES:
                client = clients.clients[role]
                response = client.get(url) if method == "GET" else client.post(url, {})
                where = f"{row.name}{f' ({row.label})' if row.label else ''} {method} as {role}"
                expected = expected_by_role[role]
                if not _matches(expected, response):
                    failures.append(
                        f"{where}: expected {expected}, got {response.status_code} "
                        f"{response.get('Location', '')}"
                    )
                failures += [f"{where}: {p}" for p in _header_problems(role, response)]
                if (
                    row.cookieless
                    and method == "GET"
                    and role in ("anonymous", "resident")
                    and response.cookies
                ):
                    failures.append(f"{where}: set cookies {sorted(response.cookies)}")
                if method == "POST" and row.post_ends_session:
                    clients.rebuild(role)
    assert not failures, f"{len(failures)} permission-matrix mismatches:\n" + "\n".join(failures)
