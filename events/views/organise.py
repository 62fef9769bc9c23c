"""Pages for an event's organisers: the event, registrations, slots and tables, the scheduler, the grid.

Who may do what: visitors are sent to log in; a private event is a 404 to those who may not
see it; everyone else but the event's organisers (``permissions.is_organiser``) gets 403.
Creating an event needs ``permissions.can_create_event``.  Each view parses its input,
makes one call to ``events.organising`` and renders; a ``ValidationError`` from the
service is shown on the page it came from.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from events import imports, organising, permissions
from events import organise_forms as forms
from events.models import Event, Meeting, MeetingSlot, Registration, SchedulingRun, Table

STALLED_AFTER = 30  # seconds queued: probably no worker is running


def _event(request, pk):
    event = get_object_or_404(Event, pk=pk)
    if not permissions.can_view_event(request.user, event):
        raise Http404
    if not permissions.is_organiser(request.user, event):
        raise PermissionDenied
    return event


def _fragment(request):
    return bool(request.htmx) and not request.htmx.history_restore_request


def _error_text(exc):
    return " ".join(exc.messages)


def _page(request, template, event, active, context=None, status=200):
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
            event = organising.event_create(actor=request.user, fields=form.fields_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event is created. Next: set up its meeting day."))
            return redirect("events:organise", pk=event.pk)
    return render(request, "events/organise/event_form.html", {"form": form, "creating": True})


@login_required
def event_edit(request, pk):
    event = _event(request, pk)
    form = forms.EventForm(request.POST or None, instance=Event.objects.get(pk=event.pk))
    if request.method == "POST" and form.is_valid():
        try:
            organising.event_update(actor=request.user, event=event, fields=form.fields_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:organise", pk=event.pk)
    return _page(request, "event_form.html", event, "edit", {"form": form, "creating": False})


# --- overview: registrations and the import ---------------------------------------------


def _overview(request, event, import_form=None, import_errors=None, status=200):
    registrations = event.registrations.select_related("organisation", "user").order_by("status", "organisation__name",
                                                                                        "name")  # fmt: skip
    context = {
        "registrations": registrations,
        "counts": organising.registration_counts(event=event),
        "import_form": import_form or forms.ParticipantsImportForm(),
        "import_errors": import_errors,
        "slots": event.slots.filter(is_break=False).count(),
        "tables": event.tables.count(),
        "meetings": event.meetings.filter(status=Meeting.Status.SCHEDULED).count(),
        "requests_closed": event.registration_closes_at is not None and event.registration_closes_at < timezone.now(),
    }
    return _page(request, "overview.html", event, "overview", context, status=status)


@login_required
def overview(request, pk):
    return _overview(request, _event(request, pk))


@require_POST
@login_required
def registration_decide(request, pk, registration_pk):
    event = _event(request, pk)
    registration = get_object_or_404(Registration, pk=registration_pk, event=event)
    approve = request.POST.get("decision") == "approve"
    organising.registration_decide(actor=request.user, registration=registration, approve=approve)
    if approve:
        messages.success(request, _("%(name)s is approved.") % {"name": registration.name})
    else:
        messages.success(request, _("%(name)s is declined.") % {"name": registration.name})
    return redirect(reverse("events:organise", args=[event.pk]) + "#registrations")


@require_POST
@login_required
def participants_import(request, pk):
    event = _event(request, pk)
    form = forms.ParticipantsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _overview(request, event, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        records, by_line = imports.participants_file_read(name=upload.name, content=upload.read())
        report = imports.participants_import(actor=request.user, event=event, records=records, by_line=by_line)
    except imports.ParticipantImportError as exc:
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
    event = _event(request, pk)
    organising.reminders_queue(actor=request.user, event=event)
    messages.success(request, _("The reminders are being sent to approved participants without a meeting."))
    return redirect("events:organise", pk=event.pk)


# --- set-up: slots and tables ------------------------------------------------------------


def _setup(request, event, generate_form=None, table_form=None, error=None, status=200):
    tz = event.tzinfo
    days = {}
    for slot in event.slots.order_by("starts_at"):
        days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    initial_day = (event.starts_at.astimezone(tz).date()).isoformat()
    context = {
        "days": sorted(days.items()),
        "tables": event.tables.order_by("position", "name"),
        "generate_form": generate_form or forms.SlotsGenerateForm(initial={"day": initial_day}),
        "table_form": table_form or forms.TableForm(),
        "error": error,
    }
    return _page(request, "setup.html", event, "setup", context, status=status)


@login_required
def setup(request, pk):
    return _setup(request, _event(request, pk))


@require_POST
@login_required
def slots_generate(request, pk):
    event = _event(request, pk)
    form = forms.SlotsGenerateForm(request.POST)
    if form.is_valid():
        try:
            slots = organising.slots_generate(actor=request.user, event=event, **form.cleaned_data)
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
    event = _event(request, pk)
    slot = get_object_or_404(MeetingSlot, pk=slot_pk, event=event)
    cancelled = organising.slot_remove(actor=request.user, slot=slot)
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
    event = _event(request, pk)
    form = forms.TableForm(request.POST)
    if form.is_valid():
        try:
            organising.table_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The table is added."))
            return redirect(reverse("events:organise_setup", args=[event.pk]) + "#tables")
    return _setup(request, event, table_form=form, status=400)


@require_POST
@login_required
def table_remove(request, pk, table_pk):
    event = _event(request, pk)
    table = get_object_or_404(Table, pk=table_pk, event=event)
    moved = organising.table_remove(actor=request.user, table=table)
    if moved:
        messages.warning(
            request,
            _("The table is removed; %(count)s meetings at it have no table now and their participants were told.")
            % {"count": len(moved)},
        )
    else:
        messages.success(request, _("The table is removed."))
    return redirect(reverse("events:organise_setup", args=[event.pk]) + "#tables")


# --- the scheduler ---------------------------------------------------------------------


@login_required
def scheduler(request, pk):
    event = _event(request, pk)
    error = None
    if request.method == "POST":
        try:
            run = organising.scheduling_run_start(actor=request.user, event=event)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            return redirect("events:organise_run", pk=event.pk, run_pk=run.pk)
    runs = event.scheduling_runs.select_related("started_by")[:10]
    context = {"runs": runs, "error": error, "running": any(r.status in ("queued", "running") for r in runs)}
    return _page(request, "scheduler.html", event, "scheduler", context, status=400 if error else 200)


@never_cache
@login_required
def run_progress(request, pk, run_pk):
    event = _event(request, pk)
    run = get_object_or_404(SchedulingRun.objects.select_related("started_by"), pk=run_pk, event=event)
    elapsed = ((run.finished_at or timezone.now()) - run.created_at).total_seconds()
    context = {
        "run": run,
        "elapsed": max(1, round(elapsed)),
        "stalled": run.status == SchedulingRun.Status.QUEUED and elapsed > STALLED_AFTER,
        "stages": [(name, run.summary.get(name)) for name in ("greedy", "start", "final") if run.summary.get(name)],
        "gap_percent": round(100 * run.summary["gap"], 1) if "gap" in run.summary else None,
    }
    if _fragment(request):
        with timezone.override(event.tzinfo):
            response = render(request, "events/organise/_run_progress.html", {"event": event, **context})
    else:
        response = _page(request, "run.html", event, "scheduler", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the schedule grid -------------------------------------------------------------------


def _grid(request, event, error=None, error_meeting=None, add_form=None, status=200):
    tables, rows = organising.schedule_grid(event=event)
    place_form = forms.PlaceForm(event=event)
    context = {
        "tables": tables,
        "rows": rows,
        "has_unplaced": any(row.unplaced for row in rows),
        "slot_choices": place_form.fields["slot"].queryset,
        "table_choices": place_form.fields["table"].queryset,
        "add_form": add_form or forms.MeetingAddForm(event=event),
        "error": error,
        "error_meeting": error_meeting,
        "meeting_count": sum(1 for row in rows for m in [*row.cells, *row.unplaced] if m),
    }
    return _page(request, "grid.html", event, "grid", context, status=status)


@login_required
def grid(request, pk):
    return _grid(request, _event(request, pk))


def _meeting(event, meeting_pk):
    return get_object_or_404(
        Meeting.objects.select_related("event", "slot", "table", "party_a", "party_b"), pk=meeting_pk, event=event
    )


def _back_to_grid(event, meeting=None):
    return redirect(reverse("events:organise_grid", args=[event.pk]) + (f"#slot-{meeting.slot_id}" if meeting else ""))


@require_POST
@login_required
def meeting_move(request, pk, meeting_pk):
    event = _event(request, pk)
    meeting = _meeting(event, meeting_pk)
    form = forms.PlaceForm(request.POST, event=event)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _grid(request, event, error=" ".join(errors), error_meeting=meeting.pk, status=400)
    try:
        organising.meeting_move(actor=request.user, meeting=meeting, **form.cleaned_data)
    except ValidationError as exc:
        message = _("%(a)s × %(b)s was not moved: %(reason)s") % {
            "a": meeting.party_a.name, "b": meeting.party_b.name, "reason": _error_text(exc)
        }  # fmt: skip
        return _grid(request, event, error=message, error_meeting=meeting.pk, status=409)
    messages.success(request, _("The meeting is moved and locked; both participants are told."))
    return _back_to_grid(event, meeting)


@require_POST
@login_required
def meeting_lock(request, pk, meeting_pk):
    event = _event(request, pk)
    meeting = _meeting(event, meeting_pk)
    organising.meeting_set_locked(actor=request.user, meeting=meeting, locked=request.POST.get("locked") == "1")
    return _back_to_grid(event, meeting)


@require_POST
@login_required
def meeting_cancel(request, pk, meeting_pk):
    event = _event(request, pk)
    meeting = _meeting(event, meeting_pk)
    try:
        organising.meeting_cancel(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        return _grid(request, event, error=_error_text(exc), status=409)
    messages.success(request, _("The meeting is cancelled; both participants are told."))
    return _back_to_grid(event, meeting)


@require_POST
@login_required
def meeting_add(request, pk):
    event = _event(request, pk)
    form = forms.MeetingAddForm(request.POST, event=event)
    if form.is_valid():
        try:
            meeting = organising.meeting_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting is added and locked; both participants are told."))
            return _back_to_grid(event, meeting)
    return _grid(request, event, add_form=form, error=_("The meeting was not added; see below."), status=400)


@login_required
def schedule_export(request, pk):
    event = _event(request, pk)
    text = organising.schedule_csv(actor=request.user, event=event)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="schedule-event-{event.pk}.csv"'
    return response


urlpatterns = [
    path("new/", event_create, name="organise_create"),
    path("<int:pk>/organise/", overview, name="organise"),
    path("<int:pk>/organise/edit/", event_edit, name="organise_edit"),
    path("<int:pk>/organise/registrations/<int:registration_pk>/decide/", registration_decide,
         name="organise_registration_decide"),
    path("<int:pk>/organise/import/", participants_import, name="organise_import"),
    path("<int:pk>/organise/reminders/", reminders_send, name="organise_reminders"),
    path("<int:pk>/organise/setup/", setup, name="organise_setup"),
    path("<int:pk>/organise/slots/generate/", slots_generate, name="organise_slots_generate"),
    path("<int:pk>/organise/slots/<int:slot_pk>/remove/", slot_remove, name="organise_slot_remove"),
    path("<int:pk>/organise/tables/add/", table_add, name="organise_table_add"),
    path("<int:pk>/organise/tables/<int:table_pk>/remove/", table_remove, name="organise_table_remove"),
    path("<int:pk>/organise/scheduler/", scheduler, name="organise_scheduler"),
    path("<int:pk>/organise/scheduler/runs/<int:run_pk>/", run_progress, name="organise_run"),
    path("<int:pk>/organise/schedule/", grid, name="organise_grid"),
    path("<int:pk>/organise/schedule.csv", schedule_export, name="organise_export"),
    path("<int:pk>/organise/meetings/add/", meeting_add, name="organise_meeting_add"),
    path("<int:pk>/organise/meetings/<int:meeting_pk>/move/", meeting_move, name="organise_meeting_move"),
    path("<int:pk>/organise/meetings/<int:meeting_pk>/lock/", meeting_lock, name="organise_meeting_lock"),
    path("<int:pk>/organise/meetings/<int:meeting_pk>/cancel/", meeting_cancel, name="organise_meeting_cancel"),
]  # fmt: skip
