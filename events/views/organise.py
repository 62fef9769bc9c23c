"""Pages for an event's organisers: the event, its registrations and import, slots and tables.

Who may do what: visitors are sent to log in; a private event is a 404 to those who may not
see it; everyone else but the event's organisers (``permissions.is_organiser``) gets 403.
Creating an event needs ``permissions.can_create_event``.  Each view parses its input,
makes one call to a service (``events.services``) and renders; a ``ValidationError`` from
the service is shown on the page it came from.  The scheduler and the grid are in
``events.views.schedule``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import dashboard, forms, permissions, selectors
from events.models import Event, MeetingSlot, Registration, Table
from events.services import event_setup, participant_import


def organised_event(request, pk):
    event = get_object_or_404(Event, pk=pk)
    if not permissions.can_view_event(request.user, event):
        raise Http404
    if not permissions.is_organiser(request.user, event):
        raise PermissionDenied
    return event


def error_text(exc):
    return " ".join(exc.messages)


def organiser_page(request, template, event, active, context=None, status=200):
    """Render an organiser page; its times show in the event's time zone."""
    with timezone.override(event.tzinfo):
        return render(request, f"events/organise/{template}", {"event": event, "active": active, **(context or {})},
                      status=status)  # fmt: skip


# --- the event ------------------------------------------------------------------------


@login_required
def event_create(request):
    if not permissions.can_create_event(request.user):
        raise PermissionDenied
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_setup.event_create(actor=request.user, fields=form.fields_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event is created. Next: set up its meeting day."))
            return redirect("events:organise", pk=event.pk)
    return render(request, "events/organise/event_form.html", {"form": form, "creating": True})


@login_required
def event_edit(request, pk):
    event = organised_event(request, pk)
    form = forms.EventForm(request.POST or None, instance=Event.objects.get(pk=event.pk))
    if request.method == "POST" and form.is_valid():
        try:
            event_setup.event_update(actor=request.user, event=event, fields=form.fields_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:organise", pk=event.pk)
    return organiser_page(request, "event_form.html", event, "edit", {"form": form, "creating": False})


# --- overview: registrations and the import ---------------------------------------------


def _overview(request, event, import_form=None, import_errors=None, status=200):
    registrations = selectors.organiser_registrations(event=event)
    headline = dashboard.headline(event=event)
    context = {
        "headline": headline,
        "registrations": registrations,
        "counts": selectors.registration_counts(event=event),
        "import_form": import_form or forms.ParticipantsImportForm(),
        "import_errors": import_errors,
        "slots": event.slots.filter(is_break=False).count(),
        "tables": event.tables.count(),
        "requests_closed": event.registration_closes_at is not None and event.registration_closes_at < timezone.now(),
    }
    return organiser_page(request, "overview.html", event, "overview", context, status=status)


@login_required
def overview(request, pk):
    return _overview(request, organised_event(request, pk))


@require_POST
@login_required
def registration_decide(request, pk, registration_pk):
    event = organised_event(request, pk)
    registration = get_object_or_404(Registration, pk=registration_pk, event=event)
    approve = request.POST.get("decision") == "approve"
    event_setup.registration_decide(actor=request.user, registration=registration, approve=approve)
    if approve:
        messages.success(request, _("%(name)s is approved.") % {"name": registration.name})
    else:
        messages.success(request, _("%(name)s is declined.") % {"name": registration.name})
    return redirect(reverse("events:organise", args=[event.pk]) + "#registrations")


@require_POST
@login_required
def participants_import(request, pk):
    event = organised_event(request, pk)
    form = forms.ParticipantsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _overview(request, event, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        records, by_line = participant_import.participants_file_read(name=upload.name, content=upload.read())
        report = participant_import.participants_import(
            actor=request.user, event=event, records=records, by_line=by_line
        )
    except participant_import.ParticipantImportError as exc:
        return _overview(request, event, import_form=form, import_errors=exc.errors, status=400)
    messages.success(
        request,
        _("Import done: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect(reverse("events:organise", args=[event.pk]) + "#registrations")


@require_POST
@login_required
def reminders_send(request, pk):
    event = organised_event(request, pk)
    event_setup.reminders_queue(actor=request.user, event=event)
    messages.success(request, _("The reminders are being sent to approved participants without a meeting."))
    return redirect("events:organise", pk=event.pk)


# --- set-up: slots and tables ------------------------------------------------------------


def _setup(request, event, generate_form=None, table_form=None, error=None, status=200):
    initial_day = event.starts_at.astimezone(event.tzinfo).date().isoformat()
    context = {
        "days": selectors.slots_by_day(event=event),
        "tables": event.tables.order_by("position", "name"),
        "generate_form": generate_form or forms.SlotsGenerateForm(initial={"day": initial_day}),
        "table_form": table_form or forms.TableForm(),
        "error": error,
    }
    return organiser_page(request, "setup.html", event, "setup", context, status=status)


@login_required
def setup(request, pk):
    return _setup(request, organised_event(request, pk))


@require_POST
@login_required
def slots_generate(request, pk):
    event = organised_event(request, pk)
    form = forms.SlotsGenerateForm(request.POST)
    if form.is_valid():
        try:
            slots = event_setup.slots_generate(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            count = sum(1 for slot in slots if not slot.is_break)
            messages.success(request, _("%(count)s meeting slots added.") % {"count": count})
            return redirect(reverse("events:organise_setup", args=[event.pk]) + "#slots")
    return _setup(request, event, generate_form=form, status=400)


@require_POST
@login_required
def slot_remove(request, pk, slot_pk):
    event = organised_event(request, pk)
    slot = get_object_or_404(MeetingSlot, pk=slot_pk, event=event)
    cancelled = event_setup.slot_remove(actor=request.user, slot=slot)
    if cancelled:
        messages.warning(
            request,
            _("The slot is removed; %(count)s meetings in it were cancelled and their participants told.")
            % {"count": len(cancelled)},
        )
    else:
        messages.success(request, _("The slot is removed."))
    return redirect(reverse("events:organise_setup", args=[event.pk]) + "#slots")


@require_POST
@login_required
def table_add(request, pk):
    event = organised_event(request, pk)
    form = forms.TableForm(request.POST)
    if form.is_valid():
        try:
            event_setup.table_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The table is added."))
            return redirect(reverse("events:organise_setup", args=[event.pk]) + "#tables")
    return _setup(request, event, table_form=form, status=400)


@require_POST
@login_required
def table_remove(request, pk, table_pk):
    event = organised_event(request, pk)
    table = get_object_or_404(Table, pk=table_pk, event=event)
    moved = event_setup.table_remove(actor=request.user, table=table)
    if moved:
        messages.warning(
            request,
            _("The table is removed; %(count)s meetings at it have no table now and their participants were told.")
            % {"count": len(moved)},
        )
    else:
        messages.success(request, _("The table is removed."))
    return redirect(reverse("events:organise_setup", args=[event.pk]) + "#tables")
