from django.urls import path

from companies.views import directory, onboarding, profile

app_name = "companies"

urlpatterns = [
    path("", directory.organisation_list, name="organisation_list"),
    path("new/", onboarding.organisation_create, name="organisation_create"),
    path("<int:pk>/", directory.organisation_detail, name="organisation_detail"),
    path("<int:pk>/edit/", profile.organisation_edit, name="organisation_edit"),
    path("<int:pk>/join/", onboarding.membership_request, name="membership_request"),
    path("<int:pk>/members/", onboarding.member_list, name="member_list"),
    path("<int:pk>/members/<int:membership_pk>/", onboarding.membership_decide, name="membership_decide"),
]
