from django.contrib import admin

from delegations.models import Delegation, DelegationMember


class DelegationMemberInline(admin.TabularInline):
    model = DelegationMember
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["name", "origin_country", "destination_country", "destination_region", "starts_on", "ends_on"]
    list_filter = ["origin_country", "destination_country", "destination_region"]
    search_fields = ["name", "name_zh", "leader", "purpose", "external_id"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["sectors", "events", "organisers"]
    autocomplete_fields = ["leader_organisation"]
    inlines = [DelegationMemberInline]


@admin.register(DelegationMember)
class DelegationMemberAdmin(admin.ModelAdmin):
    list_display = ["organisation", "delegation"]
    list_filter = ["delegation"]
    search_fields = ["organisation__name", "people"]
    autocomplete_fields = ["delegation", "organisation"]
    list_select_related = ["organisation", "delegation"]
