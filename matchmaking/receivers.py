"""What matchmaking does when a layer below it reports a change (``core.hooks``; connected in
``MatchmakingConfig.ready``)."""

from matchmaking import tasks


def organisation_saved(*, organisation_id):
    """A created or edited profile is rescored once the saving transaction commits."""
    tasks.queue_organisation(organisation_id)
