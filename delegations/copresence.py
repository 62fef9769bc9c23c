"""What the delegations app answers when the matching engine asks about gatherings (``core.hooks``).

Members of the same delegation travel together: that is a reason for them to meet the same
hosts.  Keys are ``"delegation:<id>"``; the hooks are connected in ``DelegationsConfig.ready``.
"""

from delegations.models import Delegation, DelegationMember

PREFIX = "delegation:"


def attended(*, now):
    """(organisation id, key) for every member of a delegation whose last day has not passed."""
    rows = DelegationMember.objects.filter(delegation__ends_on__gte=now.date()).values_list(
        "organisation_id", "delegation_id"
    )
    return [(organisation_id, f"{PREFIX}{delegation_id}") for organisation_id, delegation_id in rows]


def names(*, keys):
    ids = {int(key[len(PREFIX) :]) for key in keys if key.startswith(PREFIX) and key[len(PREFIX) :].isdigit()}
    if not ids:
        return {}
    return {f"{PREFIX}{delegation.pk}": delegation.display_name for delegation in Delegation.objects.filter(pk__in=ids)}


def organises_any(*, user):
    return Delegation.objects.filter(organisers=user).exists()
