"""Importing an event's participants from CSV or JSON: all or nothing, each bad record with position and reason."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Registration
from events.services.participant_import import ParticipantImportError, participants_file_read, participants_import
from tests.factories import EventFactory, OrganisationFactory, RegistrationFactory, UserFactory

GOOD_CSV = """name,email,organisation,status
Li Wei,li.wei@sdport.example,sd-port,
Kari Nordmann,kari@corvus.example,corvus,pending
"""


@pytest.fixture
def event():
    organiser = UserFactory(email="organiser@example.org")
    event = EventFactory()
    event.organisers.add(organiser)
    OrganisationFactory(external_id="sd-port", name="Shandong Port Group", country="CN")
    OrganisationFactory(external_id="corvus", name="Corvus Energy")
    event.organiser = organiser
    return event


def do_import(event, text, name="participants.csv"):
    records, by_line = participants_file_read(name=name, content=text.encode())
    return participants_import(actor=event.organiser, event=event, records=records, by_line=by_line)


@pytest.mark.django_db
def test_a_good_csv_file_creates_registrations_and_a_second_import_changes_nothing(event):
    user = UserFactory(email="Kari@Corvus.example")
    report = do_import(event, GOOD_CSV)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    li = Registration.objects.get(event=event, email="li.wei@sdport.example")
    kari = Registration.objects.get(event=event, email="kari@corvus.example")
    assert (li.name, li.organisation.external_id, li.status) == ("Li Wei", "sd-port", "approved")
    assert (kari.status, kari.user) == ("pending", user)

    report = do_import(event, GOOD_CSV)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert Registration.objects.filter(event=event).count() == 2


@pytest.mark.django_db
def test_json_updates_an_existing_registration_by_email_whatever_its_case(event):
    RegistrationFactory(event=event, email="LI.WEI@sdport.example", name="Li", status="pending")
    data = {"participants": [{"name": "Li Wei", "email": "li.wei@sdport.example", "organisation": "sd-port"}]}
    report = do_import(event, json.dumps(data), name="list.json")
    assert (report.created, report.updated) == (0, 1)
    registration = Registration.objects.get(event=event)
    assert (registration.name, registration.status) == ("Li Wei", "approved")


@pytest.mark.django_db
def test_one_bad_record_writes_nothing_and_every_problem_is_listed_with_its_position(event):
    text = GOOD_CSV + (
        "Nobody,not-an-email,corvus,\n"
        "Ghost,ghost@example.org,no-such-org,\n"
        "Dup,li.wei@sdport.example,sd-port,maybe\n"
        ",empty@example.org,corvus,\n"
    )
    with pytest.raises(ParticipantImportError) as failed:
        do_import(event, text)
    assert failed.value.errors == [
        "line 4: email: “not-an-email” is not an e-mail address",
        "line 5: organisation: no organisation has the external ID “no-such-org”",
        "line 6: email: “li.wei@sdport.example” appears twice in the file (also line 2)",
        "line 6: status: unknown value “maybe” (use pending, approved, declined, cancelled)",
        "line 7: name: required",
    ]
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.django_db
def test_json_positions_unknown_keys_and_a_missing_csv_column(event):
    data = [{"name": "A", "email": "a@example.org", "organisation": "corvus", "phone": "1"}, "nonsense"]
    with pytest.raises(ParticipantImportError) as failed:
        do_import(event, json.dumps(data), name="list.json")
    assert failed.value.errors == ["#1: unknown field phone", "#2: a record must be an object"]
    with pytest.raises(ParticipantImportError, match="lacks the column"):
        do_import(event, "name,email\nA,a@example.org\n")
    with pytest.raises(ParticipantImportError, match="not valid JSON"):
        do_import(event, "{oops", name="x.json")


@pytest.mark.django_db
def test_only_organisers_import(event):
    records, _ = participants_file_read(name="p.csv", content=GOOD_CSV.encode())
    with pytest.raises(PermissionDenied):
        participants_import(actor=UserFactory(), event=event, records=records)


@pytest.mark.django_db
def test_the_upload_on_the_overview_page_reports_errors_or_imports(client, event):
    client.force_login(event.organiser)
    url = reverse("events:organise_import", args=[event.pk])
    bad = SimpleUploadedFile("p.csv", (GOOD_CSV + "X,x@example.org,nope,\n").encode(), content_type="text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "line 4: organisation: no organisation has the external ID “nope”" in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()

    good = SimpleUploadedFile("p.csv", GOOD_CSV.encode(), content_type="text/csv")
    response = client.post(url, {"file": good}, follow=True)
    assert "Import done: 2 added, 0 updated, 0 unchanged." in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 2
