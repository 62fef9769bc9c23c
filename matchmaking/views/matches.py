"""The matches pages: a member's matches with their reasons and feedback, and the full rescoring.

Who may do what (``matchmaking.permissions``):

* ``/matches/`` — any signed-in user, for the organisations they are an active member of
  (another organisation's id in ``?organisation=`` is a 404);
* feedback on a match — the active members of either side (``feedback_side``); others 403;
* ``/matches/rescore/`` and a run's progress — administrators and the organisers of any
  event or delegation (``may_rescore``); others 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap

from companies.selectors import pending_memberships
from matchmaking import permissions, selectors, services, tasks
from matchmaking.models import Match, RescoringRun

STALLED_AFTER = 30  # seconds without a single chunk done: probably no worker is running


def _fragment(request):
    """True for an HTMX request that swaps a part of the page (not a history restore, which needs it all)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@login_required
def match_list(request):
    organisations = list(permissions.member_organisations(request.user))
    if not organisations:
        pending = pending_memberships(user=request.user)
        return render(request, "matchmaking/matches/no_organisation.html", {"pending_memberships": pending})
    organisation = organisations[0]
    chosen = request.GET.get("organisation")
    if chosen:
        organisation = next((o for o in organisations if str(o.pk) == chosen), None)
        if organisation is None:
            raise Http404
    found = selectors.matches_for(user=request.user, organisation=organisation)
    context = {
        "organisations": organisations,
        "organisation": organisation,
        "found": found,
        "buyer_first": organisation.is_chinese_side,
        "may_rescore": permissions.may_rescore(request.user),
        "back_url": request.get_full_path(),
    }
    return render(request, "matchmaking/matches/match_list.html", context)


@login_required
@require_POST
def match_feedback(request, pk):
    match = selectors.match_for_feedback(pk=pk)
    value = request.POST.get("value")
    try:
        match = services.match_feedback(actor=request.user, match=match, value=value)
    except ValidationError:
        return HttpResponseBadRequest(
            _("This feedback is not one GreenBridge knows: send “interested”, “not_relevant” or nothing."),
            content_type="text/plain; charset=utf-8",
        )
    side = permissions.feedback_side(request.user, match)
    hidden = value == Match.Feedback.NOT_RELEVANT
    back_url = _back_url(request, match, side)
    if _fragment(request):
        if hidden:
            return reswap(HttpResponse(""), "delete")
        card = selectors.match_for_card(pk=match.pk, side=side)
        return render(
            request, "matchmaking/matches/_match_card.html", {"match": card, "side": side, "back_url": back_url}
        )
    if hidden:
        messages.success(request, _("The match is hidden and will not be suggested again."))
        return redirect(back_url)
    if value == Match.Feedback.INTERESTED:
        messages.success(request, _("Noted: you are interested in this match."))
    else:
        messages.success(request, _("Your feedback on this match was cleared."))
    return redirect(f"{back_url}#match-{match.pk}")


def _back_url(request, match, side):
    """The page the form was on (a local URL only), else the matches of the side that answered."""
    target = request.POST.get("next", "").split("#")[0]
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    organisation_id = match.organisation_id if side == permissions.SUPPLIER else match.demand.organisation_id
    return f"{reverse('matches:list')}?organisation={organisation_id}"


def _require_rescorer(user):
    if not permissions.may_rescore(user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def rescore(request):
    _require_rescorer(request.user)
    if request.method == "POST":
        run = tasks.start_full_rescoring(started_by=request.user)
        return redirect("matches:rescore_progress", run_id=run.pk)
    runs = selectors.latest_runs()
    running = any(run.status == RescoringRun.Status.RUNNING for run in runs)
    return render(request, "matchmaking/matches/rescore.html", {"runs": runs, "running": running})


@never_cache
@login_required
def rescore_progress(request, run_id):
    _require_rescorer(request.user)
    run = selectors.rescoring_run(pk=run_id)
    template = (
        "matchmaking/matches/_progress.html" if _fragment(request) else "matchmaking/matches/rescore_progress.html"
    )
    elapsed = ((run.finished_at or timezone.now()) - run.started_at).total_seconds()
    context = {
        "run": run,
        "seconds": max(1, round(elapsed)),
        "stalled": run.status == RescoringRun.Status.RUNNING and run.done_chunks == 0 and elapsed > STALLED_AFTER,
    }
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
