"""Reads on organisations: querysets with their prefetching, built in one place."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from companies import permissions
from companies.filters import OrganisationFilter
from companies.models import Membership, Organisation, Sector


def pending_memberships(*, user):
    """The user's join requests still waiting for an admin."""
    return Membership.objects.filter(user=user, status=Membership.Status.PENDING).select_related("organisation")


def organisation_members(*, organisation):
    """Everyone linked to ``organisation``, by status (active, pending, refused) then e-mail, with their users."""
    return organisation.memberships.select_related("user").order_by("status", "user__email")


def my_greenbridge_context(*, user):
    """The signed-in user's memberships (refused ones left out) and the join requests they can answer."""
    memberships = list(
        Membership.objects.filter(user=user)
        .exclude(status=Membership.Status.REFUSED)
        .select_related("organisation")
        .order_by("status", "organisation__name")
    )
    admin_of = [m.organisation_id for m in memberships if m.status == "active" and m.role == Membership.Role.ADMIN]
    join_requests = (
        Membership.objects.filter(organisation_id__in=admin_of, status=Membership.Status.PENDING)
        .select_related("user", "organisation")
        .order_by("created_at")
    )
    return {
        "memberships": memberships,
        "active_memberships": [m for m in memberships if m.status == Membership.Status.ACTIVE],
        "pending_memberships": [m for m in memberships if m.status == Membership.Status.PENDING],
        "join_requests": join_requests,
    }


# --- The directory and the profile page --------------------------------------------


def _sectors_in_taxonomy_order():
    return Prefetch("sectors", queryset=Sector.objects.select_related("parent").order_by("position"))


def organisation_directory(*, user, params):
    """The directory's FilterSet over what ``user`` may see; ``.qs`` is the filtered, prefetched list.

    Sectors and target regions come in one query each for the whole page, whatever its size.
    """
    queryset = (
        permissions.visible_organisations(user)
        .select_related("region")
        .prefetch_related(_sectors_in_taxonomy_order(), "target_regions")
        .order_by(Lower("name"), "pk")
    )
    return OrganisationFilter(data=params, queryset=queryset)


@dataclass
class SectorGroup:
    group: Sector
    leaves: list = field(default_factory=list)


@dataclass
class OrganisationProfile:
    organisation: Organisation
    sector_groups: list
    target_regions: list
    looking_for: list
    members_count: int
    open_demands: list
    viewer_membership: Membership | None


def organisation_profile(*, user, pk):
    """One organisation's profile as ``user`` may see it (404 otherwise), with what the page shows."""
    queryset = (
        permissions.visible_organisations(user)
        .select_related("region")
        .prefetch_related(_sectors_in_taxonomy_order(), "target_regions", "looking_for")
        .annotate(
            members_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)),
        )
    )
    organisation = get_object_or_404(queryset, pk=pk)
    open_demands = list(
        organisation.demands.filter(status="open")
        .select_related("region")
        .order_by(F("deadline").asc(nulls_last=True), "-created_at")
    )
    viewer_membership = None
    if user.is_authenticated:
        viewer_membership = Membership.objects.filter(user=user, organisation=organisation).first()
    return OrganisationProfile(
        organisation=organisation,
        sector_groups=group_sectors(organisation.sectors.all()),
        target_regions=list(organisation.target_regions.all()),
        looking_for=list(organisation.looking_for.all()),
        members_count=organisation.members_count,
        open_demands=open_demands,
        viewer_membership=viewer_membership,
    )


def group_sectors(sectors):
    """Sectors (with ``parent`` loaded) as [SectorGroup(group, leaves)], in taxonomy order.

    An organisation tagged with a whole group gets that group with no leaves listed.
    """
    groups = {}
    for sector in sectors:
        group = sector if sector.parent_id is None else sector.parent
        entry = groups.setdefault(group.pk, SectorGroup(group=group))
        if sector.parent_id is not None:
            entry.leaves.append(sector)
    return sorted(groups.values(), key=lambda entry: entry.group.position)
