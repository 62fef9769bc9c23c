from django.contrib import admin

from events.models import (
    Availability,
    Event,
    Meeting,
    MeetingPreference,
    MeetingRequest,
    MeetingSlot,
    Registration,
    SchedulingRun,
    Table,
)


class MeetingSlotInline(admin.TabularInline):
    model = MeetingSlot
    extra = 0


class TableInline(admin.TabularInline):
    model = Table
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "format", "city", "starts_at", "timezone", "matchmaking_mode", "is_public"]
    list_filter = ["kind", "format", "matchmaking_mode", "is_public", "country"]
    search_fields = ["name", "name_zh", "city", "venue", "external_id"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["organisers"]
    autocomplete_fields = ["organising_organisation"]
    inlines = [MeetingSlotInline, TableInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "event", "status"]
    list_filter = ["status", "event"]
    search_fields = ["name", "email", "organisation__name"]
    autocomplete_fields = ["event", "organisation", "user"]
    list_select_related = ["event", "organisation"]


@admin.register(MeetingSlot)
class MeetingSlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "is_break"]
    list_filter = ["event", "is_break"]
    list_select_related = ["event"]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "video_link"]
    list_filter = ["event"]
    search_fields = ["name"]


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ["registration", "slot", "available"]
    list_filter = ["available", "slot__event"]
    list_select_related = ["registration", "slot__event"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["requester", "recipient", "event", "status", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["requester__name", "recipient__name", "message"]
    autocomplete_fields = ["requester", "recipient"]
    list_select_related = ["requester__event", "recipient__event", "event"]


@admin.register(MeetingPreference)
class MeetingPreferenceAdmin(admin.ModelAdmin):
    list_display = ["registration", "target", "level"]
    list_filter = ["level"]
    autocomplete_fields = ["registration", "target"]
    list_select_related = ["registration__event", "target__event"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "table", "status", "locked", "source"]
    list_filter = ["status", "locked", "source", "event"]
    search_fields = ["party_a__name", "party_b__name"]
    autocomplete_fields = ["party_a", "party_b"]
    list_select_related = ["party_a", "party_b", "slot__event", "table", "event"]


@admin.register(SchedulingRun)
class SchedulingRunAdmin(admin.ModelAdmin):
    list_display = ["event", "created_at", "status", "progress", "meetings", "upper_bound", "started_by"]
    list_filter = ["status", "event"]
    list_select_related = ["event", "started_by"]
    readonly_fields = ["created_at", "finished_at"]
