"""The matchmaking pages: ``demands`` (under /demands/) and ``matches`` (under /matches/)."""
