"""In-process hooks: how a lower layer says that something happened to the layers above it.

The apps are layered (``docs/architecture.md``): ``matchmaking`` may not import ``api``, yet a
saved demand must reach the partners' webhooks.  So the lower layer *emits* a named hook with
plain keyword arguments, and the higher layer *connects* a receiver in its ``AppConfig.ready``.
This is the only mechanism for upward notification; there are no Django signals for it.

    # api/apps.py (the higher layer)
    hooks.connect(hooks.DEMAND_SAVED, receivers.demand_saved)

    # matchmaking/services.py (the lower layer)
    hooks.emit(hooks.DEMAND_SAVED, demand=demand, created=True)

A receiver runs synchronously inside the emitter's call (and transaction): one that does
slow work queues a task after the commit (``core.queueing``).  A receiver may give ``wants``,
a predicate that says whether it cares at the moment (for example "a webhook listens"), so
that an emitter can skip preparing a costly payload nobody will read (``hooks.wanted``).
An exception in a receiver propagates: a hook is part of the operation, not fire-and-forget.

The same registry answers questions a lower layer must ask of the layers above without
importing them (``collect``): the matching engine's co-presence signal asks which
organisations attend which upcoming gatherings, and the events and delegations apps answer.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

# The hooks of the portal, with the keyword arguments each one passes.
DEMAND_SAVED = "demand.saved"  # demand: Demand, created: bool
ORGANISATION_SAVED = "organisation.saved"  # organisation_id: int
MATCHES_PUBLISHED = "matches.published"  # match_ids: list[int] (newly published)
MEETINGS_SCHEDULED = "meetings.scheduled"  # meetings: list[Meeting]

# Questions asked with ``collect``; each receiver returns its part of the answer.
# Events and delegations are "gatherings", named by keys such as "event:3" and "delegation:7".
GATHERINGS_ATTENDED = "gatherings.attended"  # now: datetime -> iterable of (organisation_id, key)
GATHERING_NAMES = "gatherings.names"  # keys: set[str] -> {key: display name} for the keys it knows
ORGANISES_GATHERINGS = "gatherings.organised_by"  # user: User -> bool (organises any event or delegation)

KNOWN = frozenset(
    {
        DEMAND_SAVED,
        ORGANISATION_SAVED,
        MATCHES_PUBLISHED,
        MEETINGS_SCHEDULED,
        GATHERINGS_ATTENDED,
        GATHERING_NAMES,
        ORGANISES_GATHERINGS,
    }
)


@dataclass(frozen=True)
class _Receiver:
    function: Callable[..., object]
    wants: Callable[[], bool] | None


_receivers: dict[str, list[_Receiver]] = defaultdict(list)


def _known(name):
    if name not in KNOWN:
        raise ValueError(f"Unknown hook {name!r}; the hooks are: {', '.join(sorted(KNOWN))}")
    return name


def connect(name, function, *, wants=None):
    """Call ``function(**payload)`` whenever ``name`` is emitted (once, however often connected)."""
    receivers = _receivers[_known(name)]
    if all(receiver.function is not function for receiver in receivers):
        receivers.append(_Receiver(function, wants))


def disconnect(name, function):
    _receivers[_known(name)] = [r for r in _receivers[_known(name)] if r.function is not function]


def wanted(name):
    """Whether emitting ``name`` now would reach a receiver that cares."""
    return any(receiver.wants is None or receiver.wants() for receiver in _receivers[_known(name)])


def collect(name, **payload):
    """Call every receiver of ``name`` with ``payload`` and return their answers, in order."""
    return [receiver.function(**payload) for receiver in list(_receivers[_known(name)])]


def emit(name, **payload):
    """Call every receiver of ``name`` with ``payload``, in the order they were connected."""
    for receiver in list(_receivers[_known(name)]):
        receiver.function(**payload)
