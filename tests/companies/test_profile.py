"""The profile editor: every field, a logo checked by decoding it, and who may use it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from companies.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def png(size=(64, 64), name="logo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 107, 74)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def profile_data(**overrides):
    data = {
        "name": "Cambi", "name_zh": "康碧", "kind": "company", "country": "NO", "city": "Asker",
        "website": "https://www.cambi.com", "description": "Thermal hydrolysis of sewage sludge.",
        "description_zh": "污泥热水解技术。", "sectors": ["water.sludge", "circular.organic-waste"],
        "looking_for": ["pilot", "distributor"], "target_regions": ["CN-BJ", "CN-SD"],
        "employees": "250", "founded": "1989", "visibility": "public",
    }  # fmt: skip
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def admin_client(client):
    membership = MembershipFactory(role="admin", organisation__name="Cambi")
    client.force_login(membership.user)
    client.organisation = membership.organisation
    return client


def edit(client, **overrides):
    return client.post(reverse("companies:organisation_edit", args=[client.organisation.pk]), profile_data(**overrides))


@pytest.mark.django_db
def test_an_admin_saves_every_field_and_a_logo(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = edit(admin_client, logo=png())

    assert response.status_code == 302
    org = Organisation.objects.get(pk=admin_client.organisation.pk)
    assert (org.name_zh, org.city, org.employees, org.founded) == ("康碧", "Asker", 250, 1989)
    assert sorted(org.sectors.values_list("slug", flat=True)) == ["circular.organic-waste", "water.sludge"]
    assert sorted(org.target_regions.values_list("code", flat=True)) == ["CN-BJ", "CN-SD"]
    assert sorted(org.looking_for.values_list("code", flat=True)) == ["distributor", "pilot"]
    assert org.logo.name.startswith("logos/")
    assert (tmp_path / org.logo.name).exists()


@pytest.mark.django_db
def test_saving_without_a_new_logo_keeps_the_old_one(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    edit(admin_client, logo=png())
    first = Organisation.objects.get(pk=admin_client.organisation.pk).logo.name

    edit(admin_client, city="Oslo")

    org = Organisation.objects.get(pk=admin_client.organisation.pk)
    assert (org.city, org.logo.name) == ("Oslo", first)


def not_an_image():
    return SimpleUploadedFile("logo.png", b"%PDF-1.4 this is not a picture", content_type="image/png")


def too_big():
    # A real, decodable PNG of more than 2 MB (random pixels do not compress).
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), bytes(range(256)) * 11719 + b"\0" * 36).save(buffer, format="BMP")
    return SimpleUploadedFile("logo.bmp", buffer.getvalue(), content_type="image/bmp")


BAD_INPUT = [
    ({"logo": not_an_image}, "logo", "Upload a valid image"),
    ({"logo": too_big}, "logo", "at most 2 MB"),
    ({"sectors": ["water.sludgy"]}, "sectors", "Select a valid choice"),
    ({"sectors": ["water"]}, "sectors", "Select a valid choice"),  # groups are headings, leaves are chosen
    ({"website": "not a web site"}, "website", "Enter a valid URL"),
    ({"description": "x" * 10_000}, "description", "at most 5000 characters"),
    ({"founded": "2999"}, "founded", "less than or equal to"),
    ({"employees": "-3"}, "employees", "greater than or equal to 0"),
    ({"country": "XX"}, "country", "Select a valid choice"),
    ({"target_regions": ["CN-ZZ"]}, "target_regions", "Select a valid choice"),
    ({"region": "CN-BJ", "country": "NO"}, "region", "only applies to organisations based in China"),
    ({"name": ""}, "name", "This field is required"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT, ids=[b[1] + ":" + b[2] for b in BAD_INPUT])
def test_bad_input_gives_a_field_error_and_changes_nothing(admin_client, settings, tmp_path, overrides, field, message):
    settings.MEDIA_ROOT = tmp_path
    before = Organisation.objects.get(pk=admin_client.organisation.pk)
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}

    response = edit(admin_client, **overrides)

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert 'aria-invalid="true"' in response.content.decode()
    after = Organisation.objects.get(pk=admin_client.organisation.pk)
    assert (after.name, after.city, after.logo.name) == (before.name, before.city, before.logo.name)


@pytest.mark.django_db
def test_script_in_text_fields_is_stored_as_text_and_rendered_escaped(admin_client):
    edit(admin_client, name="<script>alert(1)</script>", city="<b>Asker</b>")

    page = admin_client.get(reverse("companies:organisation_edit", args=[admin_client.organisation.pk]))

    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert Organisation.objects.get(pk=admin_client.organisation.pk).city == "<b>Asker</b>"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member of another organisation", "plain member", "admin of another organisation"])
def test_only_the_organisations_admins_may_edit_it(client, who):
    organisation = OrganisationFactory(name="Cambi")
    if who == "plain member":
        actor = MembershipFactory(organisation=organisation, role="member").user
    elif who == "admin of another organisation":
        actor = MembershipFactory(role="admin").user
    else:
        actor = MembershipFactory(role="member").user
    client.force_login(actor)
    url = reverse("companies:organisation_edit", args=[organisation.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, profile_data(name="Hijacked")).status_code == 403
    assert Organisation.objects.get(pk=organisation.pk).name == "Cambi"


@pytest.mark.django_db
def test_a_visitor_is_sent_to_login_for_every_edit_url(client):
    organisation = OrganisationFactory()
    membership = MembershipFactory(organisation=organisation, status="pending")
    urls = [
        reverse("companies:organisation_edit", args=[organisation.pk]),
        reverse("companies:member_list", args=[organisation.pk]),
        reverse("companies:organisation_create"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    response = client.post(
        reverse("companies:membership_decide", args=[organisation.pk, membership.pk]), {"action": "approve"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "pending"


@pytest.mark.django_db
def test_an_administrator_may_edit_any_profile_but_staff_status_alone_gives_no_right(client):
    organisation = OrganisationFactory(name="Cambi")
    url = reverse("companies:organisation_edit", args=[organisation.pk])

    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 403

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200
    assert client.post(url, profile_data(name="Cambi ASA")).status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).name == "Cambi ASA"
