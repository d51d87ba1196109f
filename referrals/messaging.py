"""Messages about referrals: the client's private link and the case worker's follow-up.

The web tier writes an `Outbox` row and queues a task with its id after commit;
the task claims the row with a conditional update, so a row is sent once even
if the task runs twice. If the broker is down, the row waits for the sweep.
Nothing here logs an address, a name or a message body: ids and class names only.
"""

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.debug import sensitive_variables

from config.emails import send_email
from groups.sms import send_sms
from referrals.audit import audit_record
from referrals.models import AuditEvent, ContactMethod, Outbox, Referral, Status
from referrals.selectors import token_hash

logger = logging.getLogger("kindred.referrals")

SWEEP_AFTER = dt.timedelta(minutes=10)
# A row still "sending" after this long lost its worker mid-send. It is marked
# failed rather than sent again (the message may have gone): the case worker sees
# "not delivered" and can send a new link.
STUCK_AFTER = dt.timedelta(hours=1)


def outbox_add(*, referral: Referral, kind: str) -> Outbox:
    """A message to send once the surrounding transaction commits."""
    row = Outbox.objects.create(referral=referral, kind=kind)
    transaction.on_commit(lambda: outbox_queue(outbox_id=row.pk))
    return row


def outbox_queue(*, outbox_id: int) -> None:
    from referrals.tasks import send_outbox_message

    try:
        send_outbox_message.delay(outbox_id)
    except Exception as exc:  # the broker is down: the sweep sends it later
        logger.warning(
            "outbox %s not queued (%s); the sweep will send it", outbox_id, type(exc).__name__
        )


def outbox_send(*, outbox_id: int, now: dt.datetime | None = None) -> bool:
    """Send one outbox row if it is still waiting. Returns whether a message went out."""
    now = now or timezone.now()
    claimed = Outbox.objects.filter(pk=outbox_id, state=Outbox.State.PENDING).update(
        state=Outbox.State.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    row = Outbox.objects.select_related(
        "referral",
        "referral__consent",
        "referral__group",
        "referral__agency",
        "referral__case_worker",
    ).get(pk=outbox_id)
    try:
        if row.kind == Outbox.Kind.CLIENT_LINK:
            sent = _send_client_link(row=row, now=now)
        else:
            sent = _send_followup(row=row)
    except Exception as exc:  # a provider error: the case worker sees "not delivered"
        Outbox.objects.filter(pk=row.pk).update(
            state=Outbox.State.FAILED, last_error=type(exc).__name__
        )
        logger.warning("outbox %s failed: %s", row.pk, type(exc).__name__)
        return False
    state = Outbox.State.SENT if sent else Outbox.State.CANCELLED
    Outbox.objects.filter(pk=row.pk).update(state=state, sent_at=now if sent else None)
    logger.info("outbox %s %s", row.pk, state)
    return sent


def message_language(code: str) -> str:
    """The client's language if the site speaks it, else the site's default."""
    supported = {lang for lang, _name in settings.LANGUAGES}
    return code if code in supported else settings.LANGUAGE_CODE


@sensitive_variables("token", "link", "context", "body", "referral")
def _send_client_link(*, row: Outbox, now: dt.datetime) -> bool:
    referral = row.referral
    if (
        referral.is_purged
        or referral.status
        not in (Status.SENT, Status.CLIENT_CONFIRMED, Status.ACCEPTED, Status.WAITLISTED)
        or not referral.consent.is_valid(timezone.localdate(now))
    ):
        return False
    # A fresh token each time: only its hash is kept, so the link exists only in the message.
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(days=settings.KINDRED_REFERRAL_LINK_DAYS)
    Referral.objects.filter(pk=referral.pk).update(
        link_token_hash=token_hash(token), link_expires_at=expires
    )
    link = settings.SITE_URL.rstrip("/") + reverse("referrals:client_link", args=[token])
    language = message_language(referral.preferred_language)
    context = {
        "agency_name": referral.agency.name,
        "group_name": referral.group.name,
        "link": link,
        "expires": expires,
    }
    if referral.contact_method == ContactMethod.EMAIL:
        send_email(
            to=[referral.contact_value],
            template="referrals/email/client_link",
            context=context,
            language=language,
            headers={"Content-Language": language},
        )
    else:
        with translation.override(language):
            body = render_to_string("referrals/sms/client_link.txt", context).strip()
        send_sms(to=referral.contact_value, body=body)
    audit_record(
        action=AuditEvent.Action.SHARE,
        referral=referral,
        actor_label="system",
        detail=f"group details and link sent to the client by {referral.contact_method}",
    )
    return True


@sensitive_variables("referral", "recipient")
def _send_followup(*, row: Outbox) -> bool:
    referral = row.referral
    recipient = referral.case_worker
    if referral.is_purged or referral.status == Status.CLOSED or not recipient.is_active:
        return False
    send_email(
        to=[recipient.email],
        template="referrals/email/followup",
        context={
            "referral_id": referral.pk,
            "group_name": referral.group.name,
            "status": referral.get_status_display(),
            "since": referral.last_activity_at,
            "days": settings.KINDRED_REFERRAL_FOLLOWUP_DAYS,
            "link": settings.SITE_URL.rstrip("/") + reverse("referrals:detail", args=[referral.pk]),
        },
    )
    return True


def referral_followups_send(*, now: dt.datetime | None = None) -> int:
    """Queue one follow-up per quiet period for referrals with no update in N days.

    A referral's quiet period is identified by its `last_activity_at`; the
    conditional update on `followup_sent_for` makes a second run a no-op.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.KINDRED_REFERRAL_FOLLOWUP_DAYS)
    quiet = (
        Referral.objects.exclude(status=Status.CLOSED)
        .filter(purged_at__isnull=True, last_activity_at__lte=cutoff)
        .exclude(followup_sent_for=F("last_activity_at"))
        .values_list("pk", "last_activity_at")
    )
    queued = 0
    for pk, since in quiet:
        with transaction.atomic():
            claimed = (
                Referral.objects.filter(pk=pk, last_activity_at=since)
                .exclude(followup_sent_for=since)
                .update(followup_sent_for=since)
            )
            if claimed:
                outbox_add(referral=Referral(pk=pk), kind=Outbox.Kind.FOLLOWUP)
                queued += 1
    return queued


def outbox_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue again the rows that have waited too long (the broker was down)."""
    now = now or timezone.now()
    Outbox.objects.filter(state=Outbox.State.SENDING, created_at__lte=now - STUCK_AFTER).update(
        state=Outbox.State.FAILED, last_error="WorkerLost"
    )
    waiting = Outbox.objects.filter(
        state=Outbox.State.PENDING, created_at__lte=now - SWEEP_AFTER
    ).values_list("pk", flat=True)
    count = 0
    for outbox_id in waiting:
        outbox_queue(outbox_id=outbox_id)
        count += 1
    return count
