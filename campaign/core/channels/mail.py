"""Email through Django's mail (``EMAIL_BACKEND``; the console by default)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail

from campaign.core.channels.base import Message, Outcome


def send_email(address: str, message: Message) -> Outcome:
    try:
        send_mail(subject=message.title, message=message.text, from_email=settings.DEFAULT_FROM_EMAIL,
                  recipient_list=[address])
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome.refused(f"refused: {exc.recipients}")
    except (smtplib.SMTPException, OSError) as exc:  # the mail server is down or busy: later
        return Outcome.again(f"{type(exc).__name__}: {exc}")
    return Outcome.ok("handed to the mail server")
