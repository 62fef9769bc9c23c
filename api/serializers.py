"""What the API shows of each record, and how a POSTed demand is read.

Sectors are given by slug, regions by ISO 3166-2 code, partnership kinds by code: the
same names as in the import format.
"""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.models import Organisation, PartnershipKind, Region, Sector
from delegations.models import Delegation
from events.models import Event, Meeting
from matchmaking.forms import DemandForm
from matchmaking.models import Demand, Match
from matchmaking.reasons import reason_labels


class SlugListField(serializers.ListField):
    child = serializers.CharField()


class SectorSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(read_only=True, help_text="Part of the public API: never renamed.")
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Sector
        fields = ["slug", "name_en", "name_zh", "parent"]


def _slugs(related):
    return [item.slug for item in related.all()]


def _codes(related, attribute="code"):
    return [getattr(item, attribute) for item in related.all()]


class OrganisationSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    sectors = serializers.SerializerMethodField()
    looking_for = serializers.SerializerMethodField()
    target_regions = serializers.SerializerMethodField()
    logo = serializers.ImageField(read_only=True, use_url=True)

    class Meta:
        model = Organisation
        fields = [
            "id", "external_id", "name", "name_zh", "kind", "country", "region", "city", "website", "logo",
            "description", "description_zh", "sectors", "looking_for", "target_regions", "employees", "founded",
            "verified", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sectors(self, organisation):
        return _slugs(organisation.sectors)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=PartnershipKind.choices)))
    def get_looking_for(self, organisation):
        return _codes(organisation.looking_for)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_target_regions(self, organisation):
        return _codes(organisation.target_regions)


class OrganisationRefSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Organisation
        fields = ["id", "external_id", "name", "country"]


class DemandSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    sectors = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id", "external_id", "organisation", "title", "title_zh", "description", "description_zh",
            "sectors", "region", "kind", "budget_eur", "deadline", "status", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sectors(self, demand):
        return _slugs(demand.sectors)


class DemandCreateSerializer(serializers.Serializer):
    """A new demand.  Checked by the web form's own rules (DemandForm), so both agree on what is valid.

    ``organisation`` is only for a signed-in user who is a member of several organisations;
    a key always posts for its own organisation.
    """

    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, write_only=True)
    external_id = serializers.CharField(required=False, allow_blank=False, max_length=100)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    title_zh = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    description_zh = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    sectors = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=100)
    region = serializers.CharField(required=False, allow_null=True, max_length=6)
    kind = serializers.ChoiceField(choices=PartnershipKind.choices, required=False)
    budget_eur = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**63 - 1)
    deadline = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        data = {name: value for name, value in attrs.items() if name not in ("organisation", "external_id", "region")}
        if attrs.get("region"):
            region = Region.objects.filter(code=attrs["region"]).first()
            if region is None:
                raise serializers.ValidationError({"region": ["Unknown region code."]})
            data["region"] = region.pk
        data.setdefault("kind", PartnershipKind.PROCUREMENT)
        if data.get("deadline"):
            data["deadline"] = data["deadline"].isoformat()
        form = DemandForm(data=data, user=AnonymousUser())
        del form.fields["organisation"]  # the API names the owner itself
        if not form.is_valid():
            errors = {
                ("non_field_errors" if name == "__all__" else name): messages for name, messages in form.errors.items()
            }
            raise serializers.ValidationError(errors)
        fields = form.service_fields()
        if attrs.get("external_id"):
            fields["external_id"] = attrs["external_id"]
        return {"organisation": attrs.get("organisation"), "fields": fields}


class ReasonSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()


class MatchDemandSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    title = serializers.SerializerMethodField(help_text="The English title, or the Chinese one if it has no other.")

    def get_title(self, demand) -> str:
        return demand.title or demand.title_zh


class MatchSerializer(serializers.ModelSerializer):
    demand = MatchDemandSerializer(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = ["id", "demand", "organisation", "score", "rank", "reasons", "updated_at"]

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, match):
        return reason_labels(match.reasons, self.context["reason_names"])


#: The columns a match list reads, as plain values (no model instances: the list is the busiest read).
MATCH_VALUES = (
    "id", "score", "rank", "reasons", "updated_at",
    "demand_id", "demand__external_id", "demand__title", "demand__title_zh",
    "organisation_id", "organisation__external_id", "organisation__name", "organisation__country",
)  # fmt: skip


def match_rows(rows, names):
    """Matches as ``MatchSerializer`` shows them, from ``MATCH_VALUES`` rows (test_api checks both agree)."""
    field = serializers.DateTimeField()
    return [
        {
            "id": row["id"],
            "demand": {
                "id": row["demand_id"],
                "external_id": row["demand__external_id"],
                "title": row["demand__title"] or row["demand__title_zh"],
            },
            "organisation": {
                "id": row["organisation_id"],
                "external_id": row["organisation__external_id"],
                "name": row["organisation__name"],
                "country": row["organisation__country"],
            },
            "score": row["score"],
            "rank": row["rank"],
            "reasons": reason_labels(row["reasons"], names),
            "updated_at": field.to_representation(row["updated_at"]),
        }
        for row in rows
    ]


class EventSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    country = serializers.CharField(source="country.code", allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id", "external_id", "name", "name_zh", "kind", "format", "description", "description_zh",
            "venue", "city", "country", "region", "timezone", "starts_at", "ends_at",
            "registration_opens_at", "registration_closes_at", "matchmaking_mode", "created_at", "updated_at",
        ]  # fmt: skip


class ParticipantSerializer(serializers.Serializer):
    registration = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    organisation = OrganisationRefSerializer()


class MeetingSerializer(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    ends_at = serializers.DateTimeField(source="slot.ends_at")
    table = serializers.CharField(source="table.name", allow_null=True, default=None)
    video_link = serializers.SerializerMethodField()
    party_a = ParticipantSerializer()
    party_b = ParticipantSerializer()

    class Meta:
        model = Meeting
        fields = ["id", "starts_at", "ends_at", "table", "video_link", "party_a", "party_b", "locked", "updated_at"]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_video_link(self, meeting):
        return meeting.video_link or (meeting.table.video_link if meeting.table else "") or None


class DelegationSerializer(serializers.ModelSerializer):
    leader_organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    origin_country = serializers.CharField(source="origin_country.code")
    destination_country = serializers.CharField(source="destination_country.code")
    origin_region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    destination_region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    sectors = serializers.SerializerMethodField()
    events = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Delegation
        fields = [
            "id", "external_id", "name", "name_zh", "leader", "leader_organisation", "origin_country",
            "origin_region", "destination_country", "destination_region", "starts_on", "ends_on", "purpose",
            "sectors", "events", "visibility", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sectors(self, delegation):
        return _slugs(delegation.sectors)
