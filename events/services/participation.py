"""Writes by participants: registering, availability, meeting requests, preferences.

Each service checks permission (``PermissionDenied``), validates (``ValidationError`` whose
message is for the person), and writes inside ``transaction.atomic()``.  The database's
constraints are the last word; an ``IntegrityError`` from a race becomes the same message.
E-mails go out after commit (``events.notifications``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.permissions import is_active_member
from core.permissions import is_administrator
from events import notifications, permissions
from events.models import Availability, Event, MeetingPreference, MeetingRequest, Registration

OPEN_REQUEST = [MeetingRequest.Status.REQUESTED, MeetingRequest.Status.ACCEPTED]


# --- Registration -------------------------------------------------------------------


def registration_window_state(event, now=None):
    """ "open", "not_yet" or "closed".  Without an opening date registration is open until it
    closes; without a closing date it closes when the event ends."""
    now = now or timezone.now()
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    closes = event.registration_closes_at or event.ends_at
    if now > closes:
        return "closed"
    return "open"


def register(*, user, event, organisation, name, email, language):
    """Register ``user`` for ``event`` on behalf of ``organisation``; the registration waits for an organiser."""
    if not user.is_authenticated or not permissions.can_view_event(user, event):
        raise PermissionDenied
    if not (is_administrator(user) or is_active_member(user, organisation)):
        raise PermissionDenied(_("You can only register on behalf of an organisation you are an active member of."))
    state = registration_window_state(event)
    if state == "not_yet":
        raise ValidationError(
            _("Registration opens on %(date)s.")
            % {"date": timezone.localtime(event.registration_opens_at, event.tzinfo).strftime("%Y-%m-%d %H:%M")}
        )
    if state == "closed":
        raise ValidationError(_("Registration for this event is closed."))
    email = email.strip()
    with transaction.atomic():
        if permissions.registration_of(user, event) is not None:
            raise ValidationError(_("You are already registered for this event."))
        existing = Registration.objects.select_for_update().filter(event=event, email__iexact=email).first()
        if existing is not None:
            return _register_again(existing, user=user, organisation=organisation, name=name, language=language)
        try:
            with transaction.atomic():
                return Registration.objects.create(
                    event=event,
                    organisation=organisation,
                    user=user,
                    name=name.strip(),
                    email=email,
                    language=language,
                    status=Registration.Status.PENDING,
                )
        except IntegrityError:  # a double click: the first registration stands
            raise ValidationError(_("This e-mail address is already registered for this event.")) from None


def _register_again(existing, *, user, organisation, name, language):
    """The e-mail is on the list already: an imported participant claims it, a cancelled one comes back."""
    if existing.user_id not in (None, user.pk):
        raise ValidationError(_("This e-mail address is already registered for this event by someone else."))
    if existing.status == Registration.Status.DECLINED:
        raise ValidationError(_("The organisers declined this registration. Contact them if this is a mistake."))
    if existing.user_id is None and existing.email.casefold() != (user.email or "").casefold():
        raise ValidationError(_("This e-mail address is already registered for this event by someone else."))
    existing.user = user
    existing.organisation = organisation
    existing.name = name.strip()
    existing.language = language
    if existing.status == Registration.Status.CANCELLED:
        existing.status = Registration.Status.PENDING
    existing.save()
    return existing


def _own_approved(actor, registration):
    """The actor acts through their own approved registration."""
    if not actor.is_authenticated or registration.user_id != actor.pk:
        raise PermissionDenied
    if registration.status != Registration.Status.APPROVED:
        raise ValidationError(_("Your registration has not been approved yet."))


# --- Availability -------------------------------------------------------------------


def set_availability(*, actor, registration, available_slot_ids):
    """Store, for every meeting slot of the event (breaks aside), whether the participant is available."""
    _own_approved(actor, registration)
    chosen = {int(pk) for pk in available_slot_ids}
    slots = list(registration.event.slots.filter(is_break=False).values_list("pk", flat=True))
    unknown = chosen - set(slots)
    if unknown:
        raise ValidationError(_("Some of the chosen time slots are not meeting slots of this event."))
    with transaction.atomic():
        existing = {a.slot_id: a for a in Availability.objects.select_for_update().filter(registration=registration)}
        to_create, to_update = [], []
        for slot_id in slots:
            available = slot_id in chosen
            row = existing.get(slot_id)
            if row is None:
                to_create.append(Availability(registration=registration, slot_id=slot_id, available=available))
            elif row.available != available:
                row.available = available
                to_update.append(row)
        Availability.objects.bulk_create(to_create)
        Availability.objects.bulk_update(to_update, ["available"])
    return len(chosen)


# --- Meeting requests ---------------------------------------------------------------


def _check_pair(requester, recipient, mode):
    if requester.event.matchmaking_mode != mode:
        if mode == Event.MatchmakingMode.REQUESTS:
            raise ValidationError(_("This event does not use meeting requests."))
        raise ValidationError(_("This event does not use meeting preferences."))
    if recipient.event_id != requester.event_id or recipient.status != Registration.Status.APPROVED:
        raise ValidationError(_("This person is not an approved participant of the event."))
    if recipient.pk == requester.pk:
        raise ValidationError(_("You cannot ask to meet yourself."))


def _lock(*registrations):
    """Lock registrations in a fixed order, so caps hold under concurrency without deadlocks."""
    pks = sorted(r.pk for r in registrations)
    list(Registration.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


def send_request(*, actor, requester, recipient, message=""):
    """Ask another approved participant for a meeting."""
    _own_approved(actor, requester)
    _check_pair(requester, recipient, Event.MatchmakingMode.REQUESTS)
    event = requester.event
    with transaction.atomic():
        _lock(requester)
        if MeetingRequest.objects.filter(requester=requester, recipient=recipient, status__in=OPEN_REQUEST).exists():
            raise ValidationError(_("You have already asked %(name)s for a meeting.") % {"name": recipient.name})
        if MeetingRequest.objects.filter(requester=recipient, recipient=requester, status__in=OPEN_REQUEST).exists():
            raise ValidationError(
                _("%(name)s has already asked to meet you: answer their request on your meetings page.")
                % {"name": recipient.name}
            )
        cap = event.max_requests_per_participant
        if cap is not None:
            open_sent = MeetingRequest.objects.filter(
                requester=requester, status=MeetingRequest.Status.REQUESTED
            ).count()
            if open_sent >= cap:
                raise ValidationError(
                    _(
                        "You have %(count)d open requests, the most this event allows. "
                        "Cancel one, or wait for answers, before sending another."
                    )
                    % {"count": open_sent}
                )
        try:
            with transaction.atomic():
                meeting_request = MeetingRequest.objects.create(
                    event=event, requester=requester, recipient=recipient, message=message.strip()
                )
        except IntegrityError:
            raise ValidationError(
                _("You have already asked %(name)s for a meeting.") % {"name": recipient.name}
            ) from None
        notifications.request_received(meeting_request)
    return meeting_request


def _accepted_count(registration):
    return MeetingRequest.objects.filter(
        Q(requester=registration) | Q(recipient=registration), status=MeetingRequest.Status.ACCEPTED
    ).count()


def answer_request(*, actor, meeting_request, accept):
    """The recipient accepts or declines an open request."""
    recipient = meeting_request.recipient
    _own_approved(actor, recipient)
    with transaction.atomic():
        _lock(meeting_request.requester, recipient)
        meeting_request = MeetingRequest.objects.select_for_update().get(pk=meeting_request.pk)
        if meeting_request.status != MeetingRequest.Status.REQUESTED:
            raise ValidationError(
                _("This request is already %(status)s.") % {"status": meeting_request.get_status_display().lower()}
            )
        if accept:
            cap = meeting_request.event.max_meetings_per_participant
            if cap is not None:
                if _accepted_count(recipient) >= cap:
                    raise ValidationError(
                        _("You already have %(count)d accepted meetings, the most this event allows.") % {"count": cap}
                    )
                if _accepted_count(meeting_request.requester) >= cap:
                    raise ValidationError(
                        _("%(name)s already has %(count)d accepted meetings, the most this event allows.")
                        % {"name": meeting_request.requester.name, "count": cap}
                    )
        meeting_request.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
        meeting_request.responded_at = timezone.now()
        meeting_request.save(update_fields=["status", "responded_at"])
        if accept:
            notifications.request_accepted(meeting_request)
    return meeting_request


def cancel_request(*, actor, meeting_request):
    """The requester withdraws a request, open or accepted (until a meeting is scheduled from it)."""
    _own_approved(actor, meeting_request.requester)
    with transaction.atomic():
        meeting_request = MeetingRequest.objects.select_for_update().get(pk=meeting_request.pk)
        if meeting_request.status not in OPEN_REQUEST:
            raise ValidationError(
                _("This request is already %(status)s.") % {"status": meeting_request.get_status_display().lower()}
            )
        scheduled = meeting_request.event.meetings.filter(request=meeting_request, status="scheduled").exists()
        if scheduled:
            raise ValidationError(
                _("A meeting is already scheduled from this request; ask the organisers to cancel it.")
            )
        meeting_request.status = MeetingRequest.Status.CANCELLED
        meeting_request.responded_at = timezone.now()
        meeting_request.save(update_fields=["status", "responded_at"])
    return meeting_request


# --- Preferences --------------------------------------------------------------------


def set_preference(*, actor, registration, target, level):
    """Mark another participant must-meet / would-like / no; an empty level clears the mark."""
    _own_approved(actor, registration)
    _check_pair(registration, target, Event.MatchmakingMode.PREFERENCES)
    if level and level not in MeetingPreference.Level.values:
        raise ValidationError(_("Choose must meet, would like to meet or no meeting."))
    with transaction.atomic():
        if not level:
            MeetingPreference.objects.filter(registration=registration, target=target).delete()
            return None
        preference, _created = MeetingPreference.objects.update_or_create(
            registration=registration, target=target, defaults={"level": level}
        )
    return preference
