"""The URLs of the event pages (under ``/events/``); every name is in the ``events`` namespace."""

from django.urls import path, re_path

from events.views import dashboard, exports, organise, participant, schedule

app_name = "events"

participant_urls = [
    path("", participant.event_list, name="list"),
    path("<int:pk>/", participant.event_detail, name="detail"),
    path("<int:pk>/availability/", participant.availability, name="availability"),
    path("<int:pk>/participants/", participant.participants, name="participants"),
    path("<int:pk>/participants/<int:target_pk>/request/", participant.request_send, name="request_send"),
    path("<int:pk>/participants/<int:target_pk>/preference/", participant.preference_set, name="preference_set"),
    path("<int:pk>/meetings/", participant.meetings, name="meetings"),
    re_path(
        r"^(?P<pk>[0-9]+)/requests/(?P<request_pk>[0-9]+)/(?P<action>accept|decline|cancel)/$",
        participant.request_action,
        name="request_action",
    ),
    path("<int:pk>/agenda/", participant.agenda, name="agenda"),
    path("<int:pk>/agenda.ics", participant.agenda_ics, name="agenda_ics"),
]

organiser_urls = [
    path("new/", organise.event_create, name="organise_create"),
    path("<int:pk>/organise/", organise.overview, name="organise"),
    path("<int:pk>/organise/edit/", organise.event_edit, name="organise_edit"),
    path(
        "<int:pk>/organise/registrations/<int:registration_pk>/decide/",
        organise.registration_decide,
        name="organise_registration_decide",
    ),
    path("<int:pk>/organise/import/", organise.participants_import, name="organise_import"),
    path("<int:pk>/organise/reminders/", organise.reminders_send, name="organise_reminders"),
    path("<int:pk>/organise/setup/", organise.setup, name="organise_setup"),
    path("<int:pk>/organise/slots/generate/", organise.slots_generate, name="organise_slots_generate"),
    path("<int:pk>/organise/slots/<int:slot_pk>/remove/", organise.slot_remove, name="organise_slot_remove"),
    path("<int:pk>/organise/tables/add/", organise.table_add, name="organise_table_add"),
    path("<int:pk>/organise/tables/<int:table_pk>/remove/", organise.table_remove, name="organise_table_remove"),
    path("<int:pk>/organise/dashboard/", dashboard.dashboard_page, name="organise_dashboard"),
]

schedule_urls = [
    path("<int:pk>/organise/scheduler/", schedule.scheduler, name="organise_scheduler"),
    path("<int:pk>/organise/scheduler/runs/<int:run_pk>/", schedule.run_progress, name="organise_run"),
    path("<int:pk>/organise/schedule/", schedule.grid, name="organise_grid"),
    path("<int:pk>/organise/schedule.csv", schedule.schedule_export, name="organise_export"),
    path("<int:pk>/organise/meetings/add/", schedule.meeting_add, name="organise_meeting_add"),
    path("<int:pk>/organise/meetings/<int:meeting_pk>/move/", schedule.meeting_move, name="organise_meeting_move"),
    path("<int:pk>/organise/meetings/<int:meeting_pk>/lock/", schedule.meeting_lock, name="organise_meeting_lock"),
    path(
        "<int:pk>/organise/meetings/<int:meeting_pk>/cancel/", schedule.meeting_cancel, name="organise_meeting_cancel"
    ),
]

export_urls = [
    re_path(
        r"^(?P<pk>[0-9]+)/organise/exports/(?P<kind>participants|requests|schedule|matches)\.(?P<fmt>xlsx|csv)$",
        exports.export,
        name="organise_exports",
    ),
]

urlpatterns = participant_urls + organiser_urls + schedule_urls + export_urls
