"""Pages for an event's organisers: the scheduler and its runs, the schedule grid, the CSV export.

Who may open them, and how they render, as in ``events.views.organise``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from events import exports, forms, selectors
from events.models import Meeting, SchedulingRun
from events.services import grid as grid_services
from events.services import scheduler_runs
from events.views.organise import error_text, organised_event, organiser_page

STALLED_AFTER = 30  # seconds queued: probably no worker is running


def is_fragment(request):
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- the scheduler ---------------------------------------------------------------------


@login_required
def scheduler(request, pk):
    event = organised_event(request, pk)
    error = None
    if request.method == "POST":
        try:
            run = scheduler_runs.scheduling_run_start(actor=request.user, event=event)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            return redirect("events:organise_run", pk=event.pk, run_pk=run.pk)
    runs = event.scheduling_runs.select_related("started_by")[:10]
    context = {"runs": runs, "error": error, "running": any(r.status in ("queued", "running") for r in runs)}
    return organiser_page(request, "scheduler.html", event, "scheduler", context, status=400 if error else 200)


@never_cache
@login_required
def run_progress(request, pk, run_pk):
    event = organised_event(request, pk)
    run = get_object_or_404(SchedulingRun.objects.select_related("started_by"), pk=run_pk, event=event)
    elapsed = ((run.finished_at or timezone.now()) - run.created_at).total_seconds()
    context = {
        "run": run,
        "elapsed": max(1, round(elapsed)),
        "stalled": run.status == SchedulingRun.Status.QUEUED and elapsed > STALLED_AFTER,
        "stages": [(name, run.summary.get(name)) for name in ("greedy", "start", "final") if run.summary.get(name)],
        "gap_percent": round(100 * run.summary["gap"], 1) if "gap" in run.summary else None,
    }
    if is_fragment(request):
        with timezone.override(event.tzinfo):
            response = render(request, "events/organise/_run_progress.html", {"event": event, **context})
    else:
        response = organiser_page(request, "run.html", event, "scheduler", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the schedule grid -------------------------------------------------------------------


def _grid(request, event, error=None, error_meeting=None, add_form=None, status=200):
    tables, rows = selectors.schedule_grid(event=event)
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
    return organiser_page(request, "grid.html", event, "grid", context, status=status)


@login_required
def grid(request, pk):
    return _grid(request, organised_event(request, pk))


def _meeting(event, meeting_pk):
    return get_object_or_404(
        Meeting.objects.select_related("event", "slot", "table", "party_a", "party_b"), pk=meeting_pk, event=event
    )


def _back_to_grid(event, meeting=None):
    return redirect(reverse("events:organise_grid", args=[event.pk]) + (f"#slot-{meeting.slot_id}" if meeting else ""))


@require_POST
@login_required
def meeting_move(request, pk, meeting_pk):
    event = organised_event(request, pk)
    meeting = _meeting(event, meeting_pk)
    form = forms.PlaceForm(request.POST, event=event)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _grid(request, event, error=" ".join(errors), error_meeting=meeting.pk, status=400)
    try:
        grid_services.meeting_move(actor=request.user, meeting=meeting, **form.cleaned_data)
    except ValidationError as exc:
        message = _("%(a)s × %(b)s was not moved: %(reason)s") % {
            "a": meeting.party_a.name, "b": meeting.party_b.name, "reason": error_text(exc)
        }  # fmt: skip
        return _grid(request, event, error=message, error_meeting=meeting.pk, status=409)
    messages.success(request, _("The meeting is moved and locked; both participants are told."))
    return _back_to_grid(event, meeting)


@require_POST
@login_required
def meeting_lock(request, pk, meeting_pk):
    event = organised_event(request, pk)
    meeting = _meeting(event, meeting_pk)
    grid_services.meeting_set_locked(actor=request.user, meeting=meeting, locked=request.POST.get("locked") == "1")
    return _back_to_grid(event, meeting)


@require_POST
@login_required
def meeting_cancel(request, pk, meeting_pk):
    event = organised_event(request, pk)
    meeting = _meeting(event, meeting_pk)
    try:
        grid_services.meeting_cancel(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        return _grid(request, event, error=error_text(exc), status=409)
    messages.success(request, _("The meeting is cancelled; both participants are told."))
    return _back_to_grid(event, meeting)


@require_POST
@login_required
def meeting_add(request, pk):
    event = organised_event(request, pk)
    form = forms.MeetingAddForm(request.POST, event=event)
    if form.is_valid():
        try:
            meeting = grid_services.meeting_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting is added and locked; both participants are told."))
            return _back_to_grid(event, meeting)
    return _grid(request, event, add_form=form, error=_("The meeting was not added; see below."), status=400)


@login_required
def schedule_export(request, pk):
    event = organised_event(request, pk)
    text = exports.schedule_csv(actor=request.user, event=event)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="schedule-event-{event.pk}.csv"'
    return response
