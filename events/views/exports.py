"""The organisers' downloads of an event: participants, meeting requests, the schedule and the
matches between participants, each as ``.xlsx`` or CSV (``events.exports`` says how and why).

Who may download, as on every organiser page (``events.views.organise``): visitors are sent to
log in, a private event is a 404 to those who may not see it, everyone else but the event's
organisers and administrators gets 403.  An unknown kind or format is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.views.decorators.cache import never_cache

from events.exports import sheets, writers
from events.views.organise import organised_event

FORMATS = ("xlsx", "csv")


@never_cache
@login_required
def export(request, pk, kind, fmt):
    event = organised_event(request, pk)
    if kind not in sheets.KINDS or fmt not in FORMATS:
        raise Http404
    sheet = sheets.sheet(kind=kind, actor=request.user, event=event)
    filename = f"{kind}-event-{event.pk}.{fmt}"
    if fmt == "xlsx":
        return FileResponse(
            writers.xlsx_file(sheet), as_attachment=True, filename=filename, content_type=writers.XLSX_CONTENT_TYPE
        )
    response = StreamingHttpResponse(writers.csv_chunks(sheet), content_type=writers.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
