"""Mail backends for the tests of a mail server that fails (chosen with ``settings.EMAIL_BACKEND``)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FailingBackend(EmailBackend):
    """A mail server that refuses every message, as a real one that is down does."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FailsOnceBackend(EmailBackend):
    """Delivers (to ``mail.outbox``) the first message, then fails ``failures_left`` times, then delivers."""

    failures_left = 0
    delivered = 0

    def send_messages(self, messages):
        if FailsOnceBackend.delivered >= 1 and FailsOnceBackend.failures_left > 0:
            FailsOnceBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        FailsOnceBackend.delivered += len(messages)
        return super().send_messages(messages)
