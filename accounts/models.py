from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a case worker, an organizer or a moderator (staff).

    Residents never need an account.
    """

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("moderator"),
        default=False,
        help_text=_("Moderators approve listings, manage partner feeds and read the audit log."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.is_staff

    def active_memberships(self):
        return self.memberships.filter(is_active=True).select_related("organization")


class Organization(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency that refers clients")
        PROVIDER = "provider", _("Provider that runs groups")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.KINDRED_DEFAULT_TIME_ZONE
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    description = models.TextField(_("about"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        CASE_WORKER = "case_worker", _("Case worker")
        ORGANIZER = "organizer", _("Organizer")
        ADMIN = "admin", _("Organization admin")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.get_role_display()})"


# --- Security (issue 8): sessions tied to users, recovery codes, invitations ---------------------


class UserSession(AbstractBaseSession):
    """Django's database session plus the signed-in user's id.

    Session data is opaque, so without this column the only way to end one person's
    sessions would be to decode every row. `accounts.sessions.SessionStore` fills it.
    """

    user_id = models.BigIntegerField(null=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore


class RecoveryCodeDevice(Device):
    """A second factor made of single-use recovery codes, stored only as hashes.

    (django-otp's own static device keeps its codes in clear text.)
    """

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token) -> bool:
        from accounts.second_factor import recovery_code_hash

        if not isinstance(token, str) or not token.strip():
            return False
        deleted, _rows = self.codes.filter(code_hash=recovery_code_hash(token)).delete()
        return deleted == 1


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class Invitation(models.Model):
    """An organization admin's invitation: a link by email, single use, expiring.

    Only a hash of the token is stored, so a database dump holds no usable link.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"), max_length=254)
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"

    def is_usable(self, now=None) -> bool:
        return self.accepted_at is None and (now or timezone.now()) < self.expires_at
