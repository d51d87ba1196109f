"""Every email Kindred sends: a subject, a text body and an HTML body from one helper.

Templates come in threes: `<name>_subject.txt`, `<name>.txt`, `<name>.html`.
The message is rendered in the recipient's language, with the crisis line and
site name in the context, and never logged.
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation


def _context(extra: dict) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "crisis_line": {
            "text": settings.CRISIS_LINE_TEXT,
            "phone": settings.CRISIS_LINE_PHONE,
            "sms": settings.CRISIS_LINE_SMS,
        },
        **extra,
    }


def build_email(
    *,
    to: Sequence[str],
    template: str,
    context: dict,
    language: str | None = None,
    headers: dict | None = None,
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
) -> EmailMultiAlternatives:
    """Render `template` (e.g. "reminders/email/reminder") into a ready-to-send message."""
    with translation.override(language or settings.LANGUAGE_CODE):
        ctx = _context(context)
        text_engine = engines["text"]
        subject = text_engine.get_template(f"{template}_subject.txt").render(ctx)
        subject = " ".join(subject.split())
        text = text_engine.get_template(f"{template}.txt").render(ctx)
        html = render_to_string(f"{template}.html", ctx)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_email(**kwargs) -> None:
    """Build and send at once (raises on a provider error so the caller can retry)."""
    build_email(**kwargs).send(fail_silently=False)
