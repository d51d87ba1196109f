"""The second factor: who needs it, TOTP enrolment, verification, recovery codes."""

import hashlib
import secrets
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice, User
from accounts.security_log import security_event

# Recovery codes: 10 characters from an alphabet without look-alikes (~50 bits each).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10


def user_needs_second_factor(user) -> bool:
    """Everyone who signs in for work: moderators and anyone with an active membership."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_kindred_needs_second_factor", None)
    if cached is None:
        cached = user.is_staff or user.memberships.filter(is_active=True).exists()
        user._kindred_needs_second_factor = cached
    return cached


def user_has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator this person is enrolling (one, reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no image request, nothing leaves the server)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#102a43")


def recovery_code_hash(code: str) -> str:
    normalized = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(normalized.encode()).hexdigest()


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working. Returns the codes in clear, once."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery codes", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(settings.KINDRED_RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=recovery_code_hash(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_remaining(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


def _session_verified(request: HttpRequest, device) -> None:
    # A new privilege level gets a new session key (the old one may have been observed).
    request.session.cycle_key()
    otp_login(request, device)


@transaction.atomic
def totp_enrol_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Confirm the pending authenticator with a first code; the session is then verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if not device.verify_token(token):
        security_event("second_factor_enrol_failed", request=request, user_id=request.user.pk)
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    _session_verified(request, device)
    security_event("second_factor_enrolled", request=request, user_id=request.user.pk)
    return True


def second_factor_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code from the app or a recovery code; on success the session is verified."""
    token = (token or "").strip()
    matched = None
    with transaction.atomic():
        for device in devices_for_user(request.user, for_verify=True):
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                matched = device
                break
    if matched is None:
        security_event("second_factor_failed", request=request, user_id=request.user.pk)
        return False
    _session_verified(request, matched)
    kind = "recovery_code" if isinstance(matched, RecoveryCodeDevice) else "totp"
    security_event("second_factor_passed", request=request, user_id=request.user.pk, kind=kind)
    return True
