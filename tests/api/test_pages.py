"""The API keys and webhooks pages of an organisation: who may use them, keys shown once, revoking, webhooks."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiKey, Webhook
from api.services import digest
from companies.models import Organisation
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookFactory,
)


@pytest.fixture
def admin():
    return MembershipFactory(role="admin", organisation__name="Cambi")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin.user)
    return client


def keys_url(organisation):
    return reverse("api_pages:keys", args=[organisation.pk])


def webhooks_url(organisation):
    return reverse("api_pages:webhooks", args=[organisation.pk])


def pages_of(organisation):
    """Every page (GET) of the organisation's API access, with a key and a webhook to show."""
    key = ApiKey.objects.create(name="CRM", organisation=organisation, prefix="abcdefgh", digest="0" * 64)
    webhook = WebhookFactory(organisation=organisation)
    return [
        reverse("api_pages:index", args=[organisation.pk]),
        keys_url(organisation),
        reverse("api_pages:key_revoke", args=[organisation.pk, key.pk]),
        webhooks_url(organisation),
        reverse("api_pages:webhook_detail", args=[organisation.pk, webhook.pk]),
        reverse("api_pages:webhook_delete", args=[organisation.pk, webhook.pk]),
    ]


# --- Who may ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_visitor_is_sent_to_log_in(client, admin):
    for url in pages_of(admin.organisation):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "admin of another organisation", "signed-in user", "staff"])
def test_others_are_refused(client, admin, who):
    if who == "member":
        user = MembershipFactory(organisation=admin.organisation, role="member").user
    elif who == "admin of another organisation":
        user = MembershipFactory(role="admin").user
    elif who == "staff":
        user = UserFactory(is_staff=True)
    else:
        user = UserFactory()
    client.force_login(user)

    for url in pages_of(admin.organisation):
        assert client.get(url).status_code == 403, url
    key = admin.organisation.api_keys.get()
    webhook = admin.organisation.webhooks.get()
    assert client.post(keys_url(admin.organisation), {"name": "Mine", "scope": "write"}).status_code == 403
    assert client.post(reverse("api_pages:key_revoke", args=[admin.organisation.pk, key.pk])).status_code == 403
    delete = reverse("api_pages:webhook_delete", args=[admin.organisation.pk, webhook.pk])
    assert client.post(delete).status_code == 403
    active = reverse("api_pages:webhook_activate", args=[admin.organisation.pk, webhook.pk])
    assert client.post(active, {"active": "0"}).status_code == 403
    assert ApiKey.objects.count() == 1
    assert ApiKey.objects.get().revoked_at is None
    assert Webhook.objects.filter(active=True).count() == 1


@pytest.mark.django_db
def test_the_admin_and_a_superuser_may(client, admin):
    urls = pages_of(admin.organisation)
    for user in (admin.user, UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(user)
        assert client.get(urls[0]).status_code == 302  # the index leads to the keys
        for url in urls[1:]:
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_an_unknown_or_hidden_organisation_is_not_found(client, admin):
    hidden = OrganisationFactory(visibility=Organisation.Visibility.MEMBERS)
    client.force_login(admin.user)
    assert client.get(reverse("api_pages:keys", args=[987654])).status_code == 404
    # Members-only profiles are hidden from visitors only, who are sent to log in first.
    client.logout()
    assert client.get(keys_url(hidden)).status_code == 302


@pytest.mark.django_db
def test_another_organisations_key_or_webhook_is_not_found_through_mine(admin_client, admin):
    other = OrganisationFactory()
    key = ApiKey.objects.create(name="Theirs", organisation=other, prefix="zzzzzzzz", digest="1" * 64)
    webhook = WebhookFactory(organisation=other)
    mine = admin.organisation.pk

    assert admin_client.post(reverse("api_pages:key_revoke", args=[mine, key.pk])).status_code == 404
    assert admin_client.get(reverse("api_pages:webhook_detail", args=[mine, webhook.pk])).status_code == 404
    assert admin_client.post(reverse("api_pages:webhook_delete", args=[mine, webhook.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    assert Webhook.objects.filter(pk=webhook.pk).exists()


@pytest.mark.django_db
def test_the_profile_and_my_greenbridge_link_the_pages_for_admins_only(client, admin):
    link = keys_url(admin.organisation)
    profile = reverse("companies:organisation_detail", args=[admin.organisation.pk])
    client.force_login(admin.user)
    assert link in client.get(profile).content.decode()
    assert link in client.get(reverse("my_greenbridge")).content.decode()

    member = MembershipFactory(organisation=admin.organisation, role="member").user
    client.force_login(member)
    assert link not in client.get(profile).content.decode()
    assert link not in client.get(reverse("my_greenbridge")).content.decode()


# --- Keys -------------------------------------------------------------------------------------------------


def create_key(client, organisation, name="Partner CRM", scope="read"):
    return client.post(keys_url(organisation), {"name": name, "scope": scope})


def raw_key_in(response):
    key = ApiKey.objects.order_by("-pk").first()
    text = response.content.decode()
    start = text.index(f"gb_{key.prefix}_")
    return text[start : start + len(f"gb_{key.prefix}_") + 32]


@pytest.mark.django_db
def test_a_new_key_is_shown_once_and_only_its_prefix_afterwards(admin_client, admin):
    response = create_key(admin_client, admin.organisation, scope="write")

    assert response.status_code == 200
    raw = raw_key_in(response)
    key = ApiKey.objects.get()
    assert digest(raw) == key.digest  # the key shown is the key stored (as its digest)
    assert (key.name, key.scope, key.organisation, key.created_by) == (
        "Partner CRM",
        "write",
        admin.organisation,
        admin.user,
    )
    assert "Copy it now" in response.content.decode()
    assert response["Cache-Control"].count("no-store") == 1

    later = admin_client.get(keys_url(admin.organisation)).content.decode()
    assert raw not in later
    assert f"gb_{key.prefix}_…" in later
    assert "Partner CRM" in later
    assert "Copy it now" not in later


@pytest.mark.django_db
def test_a_key_needs_a_name_and_a_known_scope(admin_client, admin):
    response = admin_client.post(keys_url(admin.organisation), {"name": "", "scope": "admin"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "scope"}
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_a_revoked_key_gets_401_from_the_api(admin_client, admin, django_capture_on_commit_callbacks):
    raw = raw_key_in(create_key(admin_client, admin.organisation))
    key = ApiKey.objects.get()
    api = reverse("api:organisation-list")
    partner = Client()  # no session: only the key speaks
    assert partner.get(api, headers={"Authorization": f"Bearer {raw}"}).status_code == 200  # works, and is cached

    confirm = admin_client.get(reverse("api_pages:key_revoke", args=[admin.organisation.pk, key.pk]))
    assert "Revoke the key" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None  # asking is not doing
    with django_capture_on_commit_callbacks(execute=True):  # the revoke commits: the cached key is forgotten
        response = admin_client.post(reverse("api_pages:key_revoke", args=[admin.organisation.pk, key.pk]))

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    refused = partner.get(api, headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This API key has been revoked."}
    listing = admin_client.get(keys_url(admin.organisation)).content.decode()
    assert "Revoked" in listing
    assert reverse("api_pages:key_revoke", args=[admin.organisation.pk, key.pk]) not in listing


# --- Webhooks -------------------------------------------------------------------------------------------------


def register(client, organisation, url, events=("demand.created", "match.published")):
    return client.post(webhooks_url(organisation), {"url": url, "events": list(events)})


@pytest.mark.django_db
def test_a_webhook_is_registered_and_its_secret_shown_once(admin_client, admin, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True

    response = register(admin_client, admin.organisation, "http://127.0.0.1:9/hook")

    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert (webhook.url, webhook.events, webhook.active) == (
        "http://127.0.0.1:9/hook",
        ["demand.created", "match.published"],
        True,
    )
    assert webhook.secret.startswith("whsec_")
    assert len(webhook.secret) > 40
    assert webhook.secret in response.content.decode()
    later = admin_client.get(webhooks_url(admin.organisation)).content.decode()
    assert webhook.secret not in later
    assert "http://127.0.0.1:9/hook" in later
    detail = admin_client.get(reverse("api_pages:webhook_detail", args=[admin.organisation.pk, webhook.pk]))
    assert webhook.secret not in detail.content.decode()


BAD_URLS = [
    ("https://10.0.0.7/hook", "an address of a private network"),
    ("https://192.168.1.20/hook", "an address of a private network"),
    ("https://169.254.169.254/latest/meta-data/", "a link-local address"),
    ("https://127.0.0.1/hook", "a loopback address"),
    ("https://[::1]/hook", "a loopback address"),
    ("https://[::ffff:127.0.0.1]/hook", "a loopback address (this server itself) in IPv6 form"),
    ("https://0.0.0.0/hook", "the unspecified address"),
    ("http://example.com/hook", "Use an https:// address"),
    ("not a url", "Enter a valid URL."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_a_bad_webhook_url_is_a_field_error_and_writes_nothing(admin_client, admin, settings, url, message):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    response = register(admin_client, admin.organisation, url)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["url"]
    assert message in errors["url"][0]
    html = response.content.decode()
    assert 'id="id_url_error"' in html
    assert 'aria-invalid="true"' in html
    assert message in html
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_a_webhook_needs_an_event(admin_client, admin):
    response = register(admin_client, admin.organisation, "https://93.184.215.14/hook", events=())

    assert response.context["form"].errors["events"] == ["Choose at least one event."]
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_a_webhook_is_deactivated_activated_and_deleted(admin_client, admin):
    webhook = WebhookFactory(organisation=admin.organisation, url="https://93.184.215.14/hook")
    WebhookDeliveryFactory(webhook=webhook)
    active = reverse("api_pages:webhook_activate", args=[admin.organisation.pk, webhook.pk])

    assert admin_client.post(active, {"active": "0"}).status_code == 302
    webhook.refresh_from_db()
    assert webhook.active is False
    admin_client.post(active, {"active": "1"})
    webhook.refresh_from_db()
    assert webhook.active is True

    delete = reverse("api_pages:webhook_delete", args=[admin.organisation.pk, webhook.pk])
    assert admin_client.get(delete).status_code == 200
    assert Webhook.objects.filter(pk=webhook.pk).exists()
    response = admin_client.post(delete)

    assert response.status_code == 302
    assert response["Location"] == webhooks_url(admin.organisation)
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_a_webhook_whose_address_turned_private_is_not_activated_again(admin_client, admin):
    webhook = WebhookFactory(organisation=admin.organisation, url="https://10.9.8.7/hook", active=False)

    response = admin_client.post(
        reverse("api_pages:webhook_activate", args=[admin.organisation.pk, webhook.pk]), {"active": "1"}, follow=True
    )

    webhook.refresh_from_db()
    assert webhook.active is False
    assert "The webhook stays inactive" in response.content.decode()


@pytest.mark.django_db
def test_the_delivery_log_is_newest_first_and_paginated(admin_client, admin):
    webhook = WebhookFactory(organisation=admin.organisation)
    deliveries = [
        WebhookDeliveryFactory(
            webhook=webhook, status="failed", attempts=5, response_status=500, last_error=f"error number {i}."
        )
        for i in range(25)
    ]
    url = reverse("api_pages:webhook_detail", args=[admin.organisation.pk, webhook.pk])

    first = admin_client.get(url).context["page"]
    second = admin_client.get(url, {"page": 2}).context["page"]

    assert [d.pk for d in first.object_list] == [d.pk for d in reversed(deliveries)][:20]
    assert [d.pk for d in second.object_list] == [d.pk for d in reversed(deliveries)][20:]
    html = admin_client.get(url).content.decode()
    assert "error number 24." in html
    assert "error number 4." not in html
    assert "Page 1 of 2" in html


# --- Query counts ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["keys", "webhooks", "log"])
def test_each_list_runs_the_same_queries_for_one_and_three_items(admin_client, admin, page, django_assert_num_queries):
    organisation = admin.organisation
    webhook = WebhookFactory(organisation=organisation)

    def add():
        if page == "keys":
            n = ApiKey.objects.count()
            ApiKey.objects.create(
                name=f"k{n}", organisation=organisation, prefix=f"pre{n:05d}", digest=f"{n:064d}", created_by=admin.user
            )
        elif page == "webhooks":
            WebhookDeliveryFactory(webhook=WebhookFactory(organisation=organisation, created_by=admin.user))
        else:
            WebhookDeliveryFactory(webhook=webhook)

    url = {
        "keys": keys_url(organisation),
        "webhooks": webhooks_url(organisation),
        "log": reverse("api_pages:webhook_detail", args=[organisation.pk, webhook.pk]),
    }[page]
    add()
    admin_client.get(url)  # warm: the session and translations

    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    add()
    add()
    # the session, the user, the organisation, the admin check, then the list (a count and a page for the log)
    assert len(one) == {"keys": 5, "webhooks": 5, "log": 7}[page]
    with django_assert_num_queries(len(one)):
        assert admin_client.get(url).status_code == 200
