"""Pages for an event's organisers: the event, registrations, slots and tables, the scheduler, the grid."""

urlpatterns = []
