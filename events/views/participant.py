"""Pages for participants: events, registration, availability, other participants, meetings, agenda.

Only visible events exist here (``permissions.visible_events``; others are 404).  Pages that
need a registration send visitors to the login page and tell signed-in non-participants why
they cannot use them.  Buttons post normal forms; with HTMX they swap only the changed part.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from events import permissions, selectors
from events.exports import agenda_calendar
from events.forms import MeetingRequestForm, ParticipantFilterForm, PreferenceForm, RegistrationForm
from events.models import MeetingRequest, Registration
from events.services import participation

TZ_COOKIE = "greenbridge_tz"
TZ_COOKIE_AGE = 365 * 24 * 3600


def _errors(error):
    return error.messages if isinstance(error, ValidationError) else [str(error)]


def _participant_or_response(request, event):
    """(registration, None) for an approved participant, else (None, a response that explains)."""
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    registration = selectors.own_registration(user=request.user, event=event)
    if registration is not None and registration.status == Registration.Status.APPROVED:
        return registration, None
    return None, _not_participant(request, event, registration)


def _not_participant(request, event, registration):
    context = {
        "event": event,
        "registration": registration,
        "is_organiser": permissions.is_organiser(request.user, event),
    }
    return render(request, "events/not_participant.html", context, status=403)


def _back(request, default):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


# --- Events and registration --------------------------------------------------------


@require_GET
def event_list(request):
    upcoming, past = selectors.event_lists(user=request.user)
    return render(request, "events/event_list.html", {"upcoming": upcoming, "past": past})


@require_http_methods(["GET", "POST"])
def event_detail(request, pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registration = selectors.own_registration(user=request.user, event=event)
    organisations = selectors.registrable_organisations(user=request.user)
    window = participation.registration_window_state(event)
    may_register = (
        request.user.is_authenticated
        and bool(organisations)
        and window == "open"
        and (registration is None or registration.status in {"cancelled"})
    )
    form = None
    if may_register:
        initial = {
            "name": request.user.get_full_name() or "",
            "email": request.user.email,
            "language": "zh-hans" if (get_language() or "").startswith("zh") else "en",
        }
        form = RegistrationForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form is None:
            messages.error(request, _("You cannot register for this event now."))
            return redirect("events:detail", pk=event.pk)
        if form.is_valid():
            try:
                participation.register(user=request.user, event=event, **form.cleaned_data)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You may not register for this event."))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("You are registered. The organisers will approve your registration and e-mail you.")
                )
                return redirect("events:detail", pk=event.pk)
    context = {
        "event": event,
        "registration": registration,
        "organisations": organisations,
        "window": window,
        "form": form,
        "slots": selectors.day_slots(event=event),
        "is_organiser": permissions.is_organiser(request.user, event),
    }
    return render(request, "events/event_detail.html", context)


# --- Availability -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def availability(request, pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registration, response = _participant_or_response(request, event)
    if response:
        return response
    errors = []
    if request.method == "POST":
        try:
            participation.set_availability(
                actor=request.user, registration=registration, available_slot_ids=request.POST.getlist("slots")
            )
        except ValueError:
            errors = [_("Some of the chosen time slots are not meeting slots of this event.")]
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Your availability is saved."))
            return redirect("events:availability", pk=event.pk)
    rows = selectors.availability_rows(registration=registration)
    context = {"event": event, "registration": registration, "rows": rows, "errors": errors}
    return render(request, "events/availability.html", context)


# --- Participants, requests and preferences -----------------------------------------


def _participants_context(request, event, registration):
    countries = selectors.participant_countries(event=event)
    form = ParticipantFilterForm(request.GET or None, country_codes=countries)
    rows, suggested = selectors.participants(event=event, viewer=registration, **form.filters())
    return {
        "event": event,
        "registration": registration,
        "filter_form": form,
        "rows": rows,
        "suggested": suggested if not any(form.filters().values()) else [],
        "request_form": MeetingRequestForm(),
        "levels": PreferenceForm.base_fields["level"].choices[1:],
    }


@require_GET
@vary_on_headers("HX-Request")
def participants(request, pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registration, response = _participant_or_response(request, event)
    if response:
        return response
    context = _participants_context(request, event, registration)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "events/_participant_results.html", context)
    return render(request, "events/participants.html", context)


def _participant_card(request, event, registration, target_pk, errors=(), status=200):
    row = selectors.participant_row(event=event, viewer=registration, target_pk=target_pk)
    context = {
        "event": event,
        "registration": registration,
        "row": row,
        "errors": errors,
        "request_form": MeetingRequestForm(),
        "levels": PreferenceForm.base_fields["level"].choices[1:],
        "open_request": bool(errors),
    }
    return render(request, "events/_participant_card.html", context, status=status)


@require_POST
def request_send(request, pk, target_pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registration, response = _participant_or_response(request, event)
    if response:
        return response
    target = get_object_or_404(Registration, event=event, pk=target_pk)
    form = MeetingRequestForm(request.POST)
    errors = []
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
    else:
        try:
            participation.send_request(
                actor=request.user, requester=registration, recipient=target, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            errors = _errors(error)
    if request.htmx:
        return _participant_card(request, event, registration, target.pk, errors=errors, status=200)
    if errors:
        for error in errors:
            messages.error(request, error)
    else:
        messages.success(request, _("Your request to %(name)s is sent.") % {"name": target.name})
    return _back(request, reverse("events:participants", args=[event.pk]))


@require_POST
def preference_set(request, pk, target_pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registration, response = _participant_or_response(request, event)
    if response:
        return response
    target = get_object_or_404(Registration, event=event, pk=target_pk)
    form = PreferenceForm(request.POST)
    errors = []
    if not form.is_valid():
        errors = [_("Choose must meet, would like to meet or no meeting.")]
    else:
        try:
            participation.set_preference(
                actor=request.user, registration=registration, target=target, level=form.cleaned_data["level"]
            )
        except ValidationError as error:
            errors = _errors(error)
    if request.htmx:
        return _participant_card(request, event, registration, target.pk, errors=errors)
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("Your preference for %(name)s is saved.") % {"name": target.name})
    return _back(request, reverse("events:participants", args=[event.pk]))


def _meetings_context(event, registration, user):
    sent, received = selectors.requests_for(registration=registration)
    return {
        "event": event,
        "registration": registration,
        "sent": sent,
        "received": received,
        "items": selectors.agenda(
            user=user, event=event, registrations=Registration.objects.filter(pk=registration.pk)
        ),
    }


@require_GET
def meetings(request, pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registration, response = _participant_or_response(request, event)
    if response:
        return response
    return render(request, "events/meetings.html", _meetings_context(event, registration, request.user))


@require_POST
def request_action(request, pk, request_pk, action):
    """Accept, decline (the recipient) or cancel (the requester) a meeting request."""
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registration, response = _participant_or_response(request, event)
    if response:
        return response
    meeting_request = get_object_or_404(
        MeetingRequest.objects.select_related("requester__organisation", "recipient__organisation", "event"),
        pk=request_pk,
        event=event,
    )
    if registration.pk not in (meeting_request.requester_id, meeting_request.recipient_id):
        raise PermissionDenied
    errors = []
    try:
        if action == "cancel":
            meeting_request = participation.cancel_request(actor=request.user, meeting_request=meeting_request)
            done = _("Your request is cancelled.")
        else:
            meeting_request = participation.answer_request(
                actor=request.user, meeting_request=meeting_request, accept=action == "accept"
            )
            done = _("You accepted the request.") if action == "accept" else _("You declined the request.")
    except ValidationError as error:
        errors = _errors(error)
        meeting_request.refresh_from_db()
    if request.htmx:
        context = {
            "event": event,
            "registration": registration,
            "meeting_request": meeting_request,
            "incoming": meeting_request.recipient_id == registration.pk,
            "errors": errors,
        }
        return render(request, "events/_request_row.html", context)
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, done)
    return redirect("events:meetings", pk=event.pk)


# --- Agenda -------------------------------------------------------------------------


def _agenda_access(request, event):
    """(registrations, None) whose meetings the user may see, or (None, a response)."""
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    registrations = selectors.agenda_registrations(user=request.user, event=event)
    if not registrations.exists():
        return None, _not_participant(request, event, selectors.own_registration(user=request.user, event=event))
    return registrations, None


@require_GET
def agenda(request, pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registrations, response = _agenda_access(request, event)
    if response:
        return response
    chosen = selectors.valid_timezone(request.GET.get("tz"))
    viewer_tz = chosen or selectors.valid_timezone(request.COOKIES.get(TZ_COOKIE)) or event.timezone
    context = {
        "event": event,
        "items": selectors.agenda(user=request.user, event=event, registrations=registrations),
        "viewer_tz": viewer_tz,
        "same_zone": viewer_tz == event.timezone,
        "timezones": selectors.timezone_names(),
        "bad_tz": request.GET.get("tz") if request.GET.get("tz") and not chosen else "",
        "now": timezone.now(),
    }
    response = render(request, "events/agenda.html", context)
    if chosen:
        response.set_cookie(TZ_COOKIE, chosen, max_age=TZ_COOKIE_AGE, samesite="Lax", secure=request.is_secure())
    return response


@require_GET
def agenda_ics(request, pk):
    event = selectors.visible_event_or_404(user=request.user, pk=pk)
    registrations, response = _agenda_access(request, event)
    if response:
        return response
    items = selectors.agenda(user=request.user, event=event, registrations=registrations)
    body = agenda_calendar(event=event, items=items)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="greenbridge-event-{event.pk}-agenda.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
