from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from companies.views import onboarding as onboarding_views
from portal import views as portal_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("me/", onboarding_views.my_greenbridge, name="my_greenbridge"),
    path("organisations/", include("companies.urls")),
    path("organisations/<int:organisation_pk>/api/", include("api.pages.urls")),
    path("", include("matchmaking.urls")),  # /demands/ and /matches/
    path("events/", include("events.urls")),
    path("delegations/", include("delegations.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler400 = "api.exceptions.bad_request"
handler403 = "api.exceptions.permission_denied"
handler404 = "api.exceptions.page_not_found"
handler500 = "api.exceptions.server_error"
