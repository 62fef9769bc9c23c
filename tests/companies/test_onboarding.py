"""Sign-up, e-mail verification, login throttling, creating and joining organisations."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from companies.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

PASSWORD = "correct horse battery staple"


def verified_user(**kwargs):
    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.mark.django_db
def test_sign_up_sends_a_verification_link_that_logs_the_user_in(client):
    response = client.post(
        reverse("account_signup"), {"email": "mette@pumps.example", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("my_greenbridge")).status_code == 302  # not logged in before verifying

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="mette@pumps.example").verified is True
    page = client.get(reverse("my_greenbridge"))
    assert page.status_code == 200
    assert "mette@pumps.example" in page.content.decode()


@pytest.mark.django_db
def test_login_with_email_and_password_lands_on_my_greenbridge(client):
    verified_user(email="kari@corvus.example")

    response = client.post(reverse("account_login"), {"login": "kari@corvus.example", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("my_greenbridge")


@pytest.mark.django_db
def test_failed_logins_are_throttled_even_for_the_right_password_afterwards(client):
    verified_user(email="kari@corvus.example")
    for _attempt in range(5):
        response = client.post(reverse("account_login"), {"login": "kari@corvus.example", "password": "wrong"})
        assert response.status_code == 200

    response = client.post(reverse("account_login"), {"login": "kari@corvus.example", "password": PASSWORD})

    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_a_new_user_creates_an_organisation_and_becomes_its_admin(client):
    user = verified_user()
    client.force_login(user)

    response = client.post(
        reverse("companies:organisation_create"),
        {
            "name": "Danish Pumps A/S",
            "kind": "company",
            "country": "DK",
            "visibility": "public",
            "sectors": ["water.supply", "energy.district-heating"],
            "looking_for": ["distributor"],
        },
    )

    organisation = Organisation.objects.get(name="Danish Pumps A/S")
    assert response.status_code == 302
    assert response.url == reverse("companies:organisation_detail", args=[organisation.pk])
    membership = Membership.objects.get(user=user, organisation=organisation)
    assert (membership.role, membership.status) == ("admin", "active")
    assert sorted(organisation.sectors.values_list("slug", flat=True)) == ["energy.district-heating", "water.supply"]


@pytest.mark.django_db
def test_creating_an_organisation_needs_a_login(client):
    response = client.get(reverse("companies:organisation_create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_join_request_waits_for_an_admin_who_approves_it(client):
    organisation = OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, role="admin").user
    newcomer = verified_user()

    client.force_login(newcomer)
    client.post(reverse("companies:membership_request", args=[organisation.pk]))
    request = Membership.objects.get(user=newcomer, organisation=organisation)
    assert request.status == "pending"
    client.post(reverse("companies:membership_request", args=[organisation.pk]))  # a second click changes nothing
    assert Membership.objects.filter(user=newcomer, organisation=organisation).count() == 1

    client.force_login(admin)
    page = client.get(reverse("companies:member_list", args=[organisation.pk]))
    assert newcomer.email in page.content.decode()
    client.post(reverse("companies:membership_decide", args=[organisation.pk, request.pk]), {"action": "approve"})

    request.refresh_from_db()
    assert (request.status, request.role) == ("active", "member")


@pytest.mark.django_db
def test_an_admin_may_refuse_and_the_last_admin_cannot_step_down(client):
    organisation = OrganisationFactory()
    admin_membership = MembershipFactory(organisation=organisation, role="admin")
    pending = MembershipFactory(organisation=organisation, status="pending")
    client.force_login(admin_membership.user)

    client.post(reverse("companies:membership_decide", args=[organisation.pk, pending.pk]), {"action": "refuse"})
    client.post(
        reverse("companies:membership_decide", args=[organisation.pk, admin_membership.pk]), {"action": "make_member"}
    )

    pending.refresh_from_db()
    admin_membership.refresh_from_db()
    assert pending.status == "refused"
    assert admin_membership.role == "admin"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["plain member", "admin of another organisation", "pending requester"])
def test_only_the_organisations_admins_answer_join_requests(client, who):
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role="admin")
    pending = MembershipFactory(organisation=organisation, status="pending")
    if who == "plain member":
        actor = MembershipFactory(organisation=organisation, role="member").user
    elif who == "admin of another organisation":
        actor = MembershipFactory(role="admin").user
    else:
        actor = pending.user
    client.force_login(actor)

    decide = client.post(
        reverse("companies:membership_decide", args=[organisation.pk, pending.pk]), {"action": "approve"}
    )
    members = client.get(reverse("companies:member_list", args=[organisation.pk]))

    assert decide.status_code == 403
    assert members.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


@pytest.mark.django_db
def test_a_membership_id_from_another_organisation_is_not_found(client):
    mine = MembershipFactory(role="admin")
    elsewhere = MembershipFactory(status="pending")
    client.force_login(mine.user)

    response = client.post(
        reverse("companies:membership_decide", args=[mine.organisation.pk, elsewhere.pk]), {"action": "approve"}
    )

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "pending"


@pytest.mark.django_db
def test_a_visitor_cannot_ask_to_join_a_members_only_organisation_it_cannot_see(client):
    hidden = OrganisationFactory(visibility="members")
    assert client.post(reverse("companies:membership_request", args=[hidden.pk])).status_code == 302  # to login
    assert Membership.objects.count() == 0
    assert get_user_model().objects.count() == 0


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = verified_user(email="kari@corvus.example")

    client.post(reverse("account_reset_password"), {"email": "kari@corvus.example"})

    (message,) = mail.outbox
    path = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "a much newer battery staple"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("others", [1, 3])
def test_the_member_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, others):
    organisation = OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, role="admin").user
    for _ in range(others):
        MembershipFactory(organisation=organisation, status="pending")
        MembershipFactory(organisation=organisation, role="member")
    client.force_login(admin)

    # The session and the user; the organisation; the admin check; the memberships with their users.
    with django_assert_num_queries(5):
        response = client.get(reverse("companies:member_list", args=[organisation.pk]))

    assert response.content.decode().count('value="approve"') == others
    assert len(response.context["memberships"]) == 1 + 2 * others


@pytest.mark.django_db
@pytest.mark.parametrize("organisations", [1, 3])
def test_my_greenbridge_runs_a_fixed_number_of_queries(client, django_assert_num_queries, organisations):
    user = UserFactory()
    for _ in range(organisations):
        organisation = MembershipFactory(user=user, role="admin").organisation
        MembershipFactory(organisation=organisation, status="pending")  # a join request to answer
        MembershipFactory(user=user, status="pending")  # a request of the user's own
    client.force_login(user)

    # The session and the user; the user's memberships with their organisations; the join requests
    # with their users and organisations.
    with django_assert_num_queries(4):
        response = client.get(reverse("my_greenbridge"))

    assert len(response.context["memberships"]) == 2 * organisations
    assert len(response.context["join_requests"]) == organisations
