"""E-mails to participants: in the recipient's language, after commit, with times in the event's zone."""

import datetime
import smtplib
import zoneinfo

import pytest
from django.core import mail
from django.db import transaction

from events import notifications
from events.models import MeetingRequest, Registration
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    OrganisationFactory,
    TableFactory,
    event_participant,
    meeting_create,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def event():
    return EventFactory(
        name="Stavanger B2B day",
        name_zh="斯塔万格企业对接日",
        timezone="Europe/Oslo",
        starts_at=datetime.datetime(2030, 1, 15, 8, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2030, 1, 15, 17, 0, tzinfo=OSLO),
    )


@pytest.fixture
def nine_oclock(event):
    return MeetingSlotFactory(
        event=event,
        starts_at=datetime.datetime(2030, 1, 15, 9, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2030, 1, 15, 9, 25, tzinfo=OSLO),
    )


@pytest.fixture
def chinese(event):
    organisation = OrganisationFactory(country="CN", name="Qingdao Port", name_zh="青岛港")
    return event_participant(event=event, organisation=organisation, language="zh-hans", name="Li Na")


@pytest.fixture
def nordic(event):
    organisation = OrganisationFactory(country="NO", name="Corvus Energy")
    return event_participant(event=event, organisation=organisation, language="en", name="Ola Nordmann")


def _request(requester, recipient, message="Shore power for the container terminal?"):
    return MeetingRequest.objects.create(
        event=requester.event, requester=requester, recipient=recipient, message=message
    )


@pytest.mark.django_db
def test_a_request_reaches_a_chinese_recipient_in_chinese(django_capture_on_commit_callbacks, chinese, nordic):
    meeting_request = _request(nordic, chinese)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.request_received(meeting_request)

    [message] = mail.outbox
    assert message.to == [chinese.email]
    assert "斯塔万格企业对接日" in message.body
    assert "Stavanger B2B day" not in message.body
    assert "Shore power for the container terminal?" in message.body
    assert f"http://localhost:8000/events/{chinese.event_id}/meetings/" in message.body


@pytest.mark.django_db
def test_an_acceptance_reaches_an_english_requester_in_english(django_capture_on_commit_callbacks, chinese, nordic):
    meeting_request = _request(nordic, chinese)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.request_accepted(meeting_request)

    [message] = mail.outbox
    assert message.to == [nordic.email]
    assert "Stavanger B2B day" in message.body
    assert "斯塔万格企业对接日" not in message.body
    # The other party's organisation is named in the recipient's language too.
    assert "Qingdao Port" in message.subject
    assert message.subject.startswith("[GreenBridge] ")


@pytest.mark.django_db
def test_links_use_the_site_url_setting(settings, django_capture_on_commit_callbacks, chinese, nordic):
    settings.SITE_URL = "https://greenbridge.example/"
    with django_capture_on_commit_callbacks(execute=True):
        notifications.request_received(_request(nordic, chinese))
    assert f"https://greenbridge.example/events/{chinese.event_id}/meetings/" in mail.outbox[0].body


@pytest.mark.django_db
def test_nothing_is_sent_before_the_commit_nor_after_a_rollback(django_capture_on_commit_callbacks, chinese, nordic):
    class Rollback(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        notifications.request_received(_request(nordic, chinese))
        raise Rollback
    assert callbacks == []
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.request_received(_request(nordic, chinese))
    assert mail.outbox == []  # waiting for the commit
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[chinese.email]]


@pytest.mark.django_db
def test_schedule_published_sends_each_participant_their_meetings_in_the_event_zone(
    django_capture_on_commit_callbacks, event, nine_oclock, chinese, nordic
):
    third = event_participant(event=event, name="Kari Holm")
    table = TableFactory(event=event, name="A3")
    first = meeting_create(slot=nine_oclock, first=chinese, second=nordic, table=table)
    later = MeetingSlotFactory(
        event=event,
        starts_at=datetime.datetime(2030, 1, 15, 9, 30, tzinfo=OSLO),
        ends_at=datetime.datetime(2030, 1, 15, 9, 55, tzinfo=OSLO),
    )
    second = meeting_create(slot=later, first=nordic, second=third, video_link="https://meet.example/abc")

    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications.schedule_published(event, [first, second])

    assert sent == 3
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {chinese.email, nordic.email, third.email}
    ola = by_recipient[nordic.email].body
    assert "2030-01-15 09:00–09:25" in ola
    assert "2030-01-15 09:30–09:55" in ola
    assert "Li Na" in ola and "Kari Holm" in ola
    assert "A3" in ola and "https://meet.example/abc" in ola
    li = by_recipient[chinese.email]
    assert "斯塔万格企业对接日" in li.subject
    assert "2030-01-15 09:00–09:25" in li.body
    assert "Kari Holm" not in li.body


@pytest.mark.django_db
def test_a_moved_meeting_is_told_to_both_parties_with_before_and_after(
    django_capture_on_commit_callbacks, event, nine_oclock, chinese, nordic
):
    meeting = meeting_create(slot=nine_oclock, first=chinese, second=nordic)
    later = MeetingSlotFactory(
        event=event,
        starts_at=datetime.datetime(2030, 1, 15, 11, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2030, 1, 15, 11, 25, tzinfo=OSLO),
    )
    previous = {"starts_at": nine_oclock.starts_at, "table": "B1"}
    meeting.slot = later
    meeting.save()

    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications.meeting_changed(meeting, "moved", previous=previous)

    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([chinese.email, nordic.email])
    english = next(m for m in mail.outbox if m.to == [nordic.email])
    assert "2030-01-15 09:00, table B1" in english.body
    assert "2030-01-15 11:00–11:25" in english.body
    assert "Li Na" in english.subject


@pytest.mark.django_db
def test_a_cancelled_meeting_and_an_unknown_change(django_capture_on_commit_callbacks, nine_oclock, chinese, nordic):
    meeting = meeting_create(slot=nine_oclock, first=chinese, second=nordic)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.meeting_changed(meeting, "cancelled", previous={"starts_at": nine_oclock.starts_at}) == 2
    assert len(mail.outbox) == 2
    assert sorted(address for m in mail.outbox for address in m.to) == sorted([chinese.email, nordic.email])
    assert all("Ola Nordmann" in m.subject or "Li Na" in m.subject for m in mail.outbox)
    with pytest.raises(ValueError):
        notifications.meeting_changed(meeting, "exploded")


@pytest.mark.django_db
def test_reminders_go_once_to_approved_participants_without_a_meeting(
    django_capture_on_commit_callbacks, event, nine_oclock, chinese, nordic
):
    lonely = event_participant(event=event, name="Lonely", language="zh-hans")
    event_participant(event=event, name="Waiting", status=Registration.Status.PENDING)
    meeting_create(slot=nine_oclock, first=chinese, second=nordic)

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.no_meeting_reminders(event) == 1
    [message] = mail.outbox
    assert message.to == [lonely.email]
    assert "斯塔万格企业对接日" in message.subject
    lonely.refresh_from_db()
    assert lonely.reminded_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.no_meeting_reminders(event) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_hourly_task_reminds_once_registration_has_closed_and_before_the_event(
    django_capture_on_commit_callbacks, event, nine_oclock, chinese, nordic
):
    import datetime

    from django.utils import timezone

    from events.tasks import send_due_reminders

    lonely = event_participant(event=event, name="Lonely")
    meeting_create(slot=nine_oclock, first=chinese, second=nordic)
    event.registration_closes_at = timezone.now() + datetime.timedelta(days=1)
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 0  # registration still open
    event.registration_closes_at = timezone.now() - datetime.timedelta(hours=1)
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0  # once
    assert [m.to for m in mail.outbox] == [[lonely.email]]


# --- a mail server that fails ---------------------------------------------------------

FAILING_BACKEND = "tests.events.mail_backends.FailingBackend"
FLAKY_BACKEND = "tests.events.mail_backends.FailsOnceBackend"


@pytest.mark.django_db
def test_a_reminder_that_could_not_be_sent_is_not_marked_sent_and_goes_on_the_next_try(
    settings, event, nine_oclock, chinese, nordic
):
    from events.tasks import send_no_meeting_reminders

    lonely = event_participant(event=event, name="Lonely")
    meeting_create(slot=nine_oclock, first=chinese, second=nordic)
    settings.EMAIL_BACKEND = FAILING_BACKEND

    result = send_no_meeting_reminders.apply(kwargs={"event_id": event.pk})  # retried, then given up

    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPException)
    lonely.refresh_from_db()
    assert lonely.reminded_at is None
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_no_meeting_reminders.apply(kwargs={"event_id": event.pk}).get() == 1
    lonely.refresh_from_db()
    assert lonely.reminded_at is not None
    assert [m.to for m in mail.outbox] == [[lonely.email]]


@pytest.mark.django_db
def test_the_task_retries_a_failed_reminder_and_sends_each_once(settings, event, nine_oclock, chinese, nordic):
    from events.tasks import send_no_meeting_reminders
    from tests.events import mail_backends

    first = event_participant(event=event, name="First")
    second = event_participant(event=event, name="Second")
    meeting_create(slot=nine_oclock, first=chinese, second=nordic)
    settings.EMAIL_BACKEND = FLAKY_BACKEND
    mail_backends.FailsOnceBackend.failures_left, mail_backends.FailsOnceBackend.delivered = 1, 0
    # The first reminder goes, the second one fails once.

    result = send_no_meeting_reminders.apply(kwargs={"event_id": event.pk})

    assert result.successful()
    assert result.get() == 1  # the retry sent the one still owed
    assert mail_backends.FailsOnceBackend.failures_left == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert Registration.objects.filter(pk__in=[first.pk, second.pk], reminded_at__isnull=True).count() == 0
