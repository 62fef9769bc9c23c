"""Pages for participants: events, registration, availability, other participants, meetings, agenda."""

urlpatterns = []
