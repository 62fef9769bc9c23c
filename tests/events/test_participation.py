"""Meeting requests: sent, accepted, declined, cancelled; caps; the database's last word."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from events.models import Event, MeetingRequest
from events.services import participation
from tests.factories import EventFactory, MembershipFactory, UserFactory, event_participant


@pytest.fixture
def event():
    return EventFactory(matchmaking_mode=Event.MatchmakingMode.REQUESTS)


@pytest.fixture
def ana(event):
    return event_participant(event=event, name="Ana")


@pytest.fixture
def bo(event):
    return event_participant(event=event, name="Bo", country="CN")


@pytest.fixture
def cy(event):
    return event_participant(event=event, name="Cy")


def send_url(event, target):
    return f"/events/{event.pk}/participants/{target.pk}/request/"


def action_url(meeting_request, action):
    return f"/events/{meeting_request.event_id}/requests/{meeting_request.pk}/{action}/"


def page_text(response):
    return response.content.decode()


@pytest.mark.django_db
def test_a_participant_sends_a_request_and_the_recipient_is_told(
    client, django_capture_on_commit_callbacks, event, ana, bo
):
    client.force_login(ana.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url(event, bo), {"message": "Let us talk about batteries."}, follow=True)
    assert "Your request to Bo is sent." in page_text(response)
    meeting_request = MeetingRequest.objects.get()
    assert (meeting_request.requester, meeting_request.recipient) == (ana, bo)
    assert meeting_request.status == MeetingRequest.Status.REQUESTED
    assert meeting_request.message == "Let us talk about batteries."
    [message] = mail.outbox
    assert message.to == [bo.email]


@pytest.mark.django_db
def test_with_htmx_the_card_is_swapped_in_place(client, event, ana, bo):
    client.force_login(ana.user)
    response = client.post(send_url(event, bo), {"message": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = page_text(response)
    assert html.lstrip().startswith("<li")
    assert "Request sent, waiting for an answer" in html


@pytest.mark.django_db
def test_no_request_to_oneself(event, ana):
    with pytest.raises(ValidationError, match="You cannot ask to meet yourself"):
        participation.send_request(actor=ana.user, requester=ana, recipient=ana)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingRequest.objects.create(event=event, requester=ana, recipient=ana)


@pytest.mark.django_db
def test_no_second_open_request_to_the_same_person(client, event, ana, bo):
    participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    with pytest.raises(ValidationError, match="You have already asked Bo for a meeting"):
        participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    # The database refuses it too, past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingRequest.objects.create(event=event, requester=ana, recipient=bo)
    # The page says so in words.
    client.force_login(ana.user)
    response = client.post(send_url(event, bo), {"message": ""}, follow=True)
    assert "You have already asked Bo for a meeting." in page_text(response)
    assert MeetingRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_request_back_is_pointed_to_the_open_one(event, ana, bo):
    participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    with pytest.raises(ValidationError, match="Ana has already asked to meet you"):
        participation.send_request(actor=bo.user, requester=bo, recipient=ana)


@pytest.mark.django_db
def test_the_cap_on_open_requests(client, event, ana, bo, cy):
    event.max_requests_per_participant = 1
    event.save()
    first = participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    client.force_login(ana.user)
    response = client.post(send_url(event, cy), {"message": ""}, follow=True)
    assert "You have 1 open requests, the most this event allows." in page_text(response)
    assert not MeetingRequest.objects.filter(recipient=cy).exists()
    # An answered request no longer counts.
    participation.answer_request(actor=bo.user, meeting_request=first, accept=False)
    participation.send_request(actor=ana.user, requester=ana, recipient=cy)
    assert MeetingRequest.objects.filter(recipient=cy).count() == 1


@pytest.mark.django_db
def test_the_recipient_accepts_and_the_requester_is_told(client, django_capture_on_commit_callbacks, ana, bo):
    meeting_request = participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    client.force_login(bo.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(meeting_request, "accept"), follow=True)
    assert "You accepted the request." in page_text(response)
    meeting_request.refresh_from_db()
    assert meeting_request.status == MeetingRequest.Status.ACCEPTED
    assert meeting_request.responded_at is not None
    assert [m.to for m in mail.outbox] == [[ana.email]]


@pytest.mark.django_db
def test_the_recipient_declines_with_htmx(client, ana, bo):
    meeting_request = participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    client.force_login(bo.user)
    response = client.post(action_url(meeting_request, "decline"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert page_text(response).lstrip().startswith("<li")
    assert "Declined" in page_text(response)
    meeting_request.refresh_from_db()
    assert meeting_request.status == MeetingRequest.Status.DECLINED
    # An answered request cannot be answered again.
    with pytest.raises(ValidationError, match="already declined"):
        participation.answer_request(actor=bo.user, meeting_request=meeting_request, accept=True)


@pytest.mark.django_db
def test_only_the_recipient_answers_and_only_the_requester_cancels(client, ana, bo, cy):
    meeting_request = participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    with pytest.raises(PermissionDenied):
        participation.answer_request(actor=ana.user, meeting_request=meeting_request, accept=True)
    with pytest.raises(PermissionDenied):
        participation.cancel_request(actor=bo.user, meeting_request=meeting_request)
    # Another participant of the event may not touch it.
    client.force_login(cy.user)
    assert client.post(action_url(meeting_request, "accept")).status_code == 403
    client.force_login(bo.user)
    assert client.post(action_url(meeting_request, "cancel")).status_code == 403
    meeting_request.refresh_from_db()
    assert meeting_request.status == MeetingRequest.Status.REQUESTED
    # The requester cancels.
    client.force_login(ana.user)
    response = client.post(action_url(meeting_request, "cancel"), follow=True)
    assert "Your request is cancelled." in page_text(response)
    meeting_request.refresh_from_db()
    assert meeting_request.status == MeetingRequest.Status.CANCELLED


@pytest.mark.django_db
def test_the_cap_on_accepted_meetings(client, event, ana, bo, cy):
    event.max_meetings_per_participant = 1
    event.save()
    first = participation.send_request(actor=ana.user, requester=ana, recipient=bo)
    second = participation.send_request(actor=cy.user, requester=cy, recipient=bo)
    participation.answer_request(actor=bo.user, meeting_request=first, accept=True)
    client.force_login(bo.user)
    response = client.post(action_url(second, "accept"), follow=True)
    assert "You already have 1 accepted meetings, the most this event allows." in page_text(response)
    second.refresh_from_db()
    assert second.status == MeetingRequest.Status.REQUESTED
    # The requester's side is capped as well.
    third = participation.send_request(actor=ana.user, requester=ana, recipient=cy)
    with pytest.raises(ValidationError, match="Ana already has 1 accepted meetings"):
        participation.answer_request(actor=cy.user, meeting_request=third, accept=True)


@pytest.mark.django_db
def test_requests_need_an_approved_registration_and_the_requests_mode(event, ana, bo):
    pending = event_participant(event=event, name="Pending", status="pending")
    with pytest.raises(ValidationError, match="not been approved"):
        participation.send_request(actor=pending.user, requester=pending, recipient=bo)
    with pytest.raises(ValidationError, match="not an approved participant"):
        participation.send_request(actor=ana.user, requester=ana, recipient=pending)
    with pytest.raises(PermissionDenied):
        participation.send_request(actor=bo.user, requester=ana, recipient=bo)
    event.matchmaking_mode = Event.MatchmakingMode.PREFERENCES
    event.save()
    with pytest.raises(ValidationError, match="does not use meeting requests"):
        participation.send_request(actor=ana.user, requester=ana, recipient=bo)


@pytest.mark.django_db
def test_visitors_organisers_and_outsiders_cannot_send(client, event, bo):
    url = send_url(event, bo)
    assert client.post(url, {"message": "hi"})["Location"].startswith("/accounts/login/")
    organiser = UserFactory()
    event.organisers.add(organiser)
    client.force_login(organiser)
    response = client.post(url, {"message": "hi"})
    assert response.status_code == 403
    assert "You are not registered for this event" in page_text(response)
    outsider = UserFactory()
    MembershipFactory(user=outsider)
    client.force_login(outsider)
    assert client.post(url, {"message": "hi"}).status_code == 403
    assert not MeetingRequest.objects.exists()


@pytest.mark.django_db
def test_the_meetings_page_lists_sent_and_received(client, event, ana, bo, cy):
    participation.send_request(actor=ana.user, requester=ana, recipient=bo, message="Batteries?")
    participation.send_request(actor=cy.user, requester=cy, recipient=ana, message="Ports?")
    client.force_login(ana.user)
    response = client.get(f"/events/{event.pk}/meetings/")
    assert response.status_code == 200
    html = page_text(response)
    received, sent = html.split('id="received-title"')[1].split('id="sent-title"')
    assert "Cy" in received and "Ports?" in received and "Accept" in received
    assert "Bo" in sent and "Batteries?" in sent and "Cancel request" in sent
