"""Telling the layers above which matches a rescoring newly published (the ``matches.published`` hook).

The published matches of the scope are looked up before and after the write only when a
receiver wants the hook (a partner's webhook listens): otherwise nothing is queried.
"""

from core import hooks
from matchmaking.models import Match


def published_before(**scope):
    """The ids of the published matches of ``scope`` now, or None when nobody listens."""
    if not hooks.wanted(hooks.MATCHES_PUBLISHED):
        return None
    return _published_in(**scope)


def _published_in(**scope):
    return set(Match.objects.filter(published=True, **scope).values_list("pk", flat=True))


def announce(before, **scope):
    """``matches.published`` for the matches of ``scope`` published now and not in ``before``."""
    if before is None:
        return
    new = _published_in(**scope) - before
    if new:
        hooks.emit(hooks.MATCHES_PUBLISHED, match_ids=sorted(new))
