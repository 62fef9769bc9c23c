"""A participant's agenda as iCalendar (RFC 5545): one VEVENT per meeting, times in UTC."""

import datetime
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from events.notifications import absolute, site_url


def meeting_uid(meeting):
    """Stable per meeting, whatever moves: the same meeting updates in the viewer's calendar."""
    host = urlsplit(site_url()).hostname or "greenbridge"
    return f"meeting-{meeting.pk}@{host}"


def agenda_calendar(*, event, items, language=None):
    """The iCalendar bytes of ``items`` (selectors.AgendaItem) of ``event``."""
    with translation.override(language or translation.get_language()):
        calendar = Calendar()
        calendar.add("prodid", "-//GreenBridge//Event agenda//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", event.display_name)
        now = datetime.datetime.now(datetime.UTC)
        for item in items:
            meeting = item.meeting
            other = item.other
            vevent = VEvent()
            vevent.add("uid", meeting_uid(meeting))
            vevent.add("dtstamp", now)
            vevent.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
            vevent.add("dtstart", meeting.slot.starts_at.astimezone(datetime.UTC))
            vevent.add("dtend", meeting.slot.ends_at.astimezone(datetime.UTC))
            vevent.add(
                "summary",
                _("Meeting: %(name)s (%(organisation)s)")
                % {"name": other.name, "organisation": other.organisation.display_name},
            )
            vevent.add("location", _location(event, item))
            if item.video_link:
                vevent.add("url", item.video_link)
            vevent.add("description", _description(event, item))
            vevent.add("status", "CONFIRMED")
            calendar.add_component(vevent)
        return calendar.to_ical()


def _location(event, item):
    if item.video_link:
        return item.video_link
    if item.place:
        venue = ", ".join(part for part in (event.venue, event.city) if part)
        return f"{venue} – {item.place_label}" if venue else item.place_label
    return ", ".join(part for part in (event.venue, event.city) if part)


def _description(event, item):
    lines = [
        _("%(event)s: meeting of %(ours)s (%(our_organisation)s) with %(other)s (%(other_organisation)s).")
        % {
            "event": event.display_name,
            "ours": item.ours.name,
            "our_organisation": item.ours.organisation.display_name,
            "other": item.other.name,
            "other_organisation": item.other.organisation.display_name,
        }
    ]
    if item.place:
        lines.append(item.place_label)
    if item.video_link:
        lines.append(_("Video link: %(url)s") % {"url": item.video_link})
    lines.append(_("Agenda: %(url)s") % {"url": absolute(f"/events/{event.pk}/agenda/")})
    return "\n".join(lines)
