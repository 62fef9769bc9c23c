from events.views import organise, participant

app_name = "events"
urlpatterns = participant.urlpatterns + organise.urlpatterns
