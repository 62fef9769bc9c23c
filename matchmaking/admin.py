from django.contrib import admin

from matchmaking.models import Demand, Match


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "kind", "region", "status", "deadline", "updated_at"]
    list_filter = ["status", "kind", "region", "sectors__parent"]
    search_fields = ["title", "title_zh", "description", "description_zh", "external_id", "organisation__name"]
    autocomplete_fields = ["organisation", "created_by"]
    filter_horizontal = ["sectors"]
    list_select_related = ["organisation", "region"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["demand", "organisation", "score", "rank", "published", "supplier_feedback", "buyer_feedback"]
    list_filter = ["published", "supplier_feedback", "buyer_feedback", "algorithm_version"]
    search_fields = ["organisation__name", "demand__title", "demand__title_zh"]
    autocomplete_fields = ["organisation", "demand"]
    list_select_related = ["organisation", "demand"]
    readonly_fields = ["created_at", "updated_at"]
