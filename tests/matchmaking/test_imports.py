"""The directory import (matchmaking.imports) through its command, ``manage.py import_directory``."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from companies.models import Organisation
from matchmaking.imports import DirectoryImportError, directory_import
from matchmaking.models import Demand, RescoringRun

DATA = Path(__file__).parent.parent / "data"

GOOD = {
    "organisations": [
        {
            "external_id": "no-cambi",
            "name": "Cambi",
            "country": "NO",
            "kind": "company",
            "city": "Asker",
            "website": "https://www.cambi.com",
            "description": "Thermal hydrolysis for sewage sludge.",
            "description_zh": "",
            "sectors": ["water.sludge", "circular.organic-waste"],
            "looking_for": ["pilot", "distributor"],
            "target_regions": ["CN-BJ"],
            "employees": 250,
            "founded": 1989,
        },
        {"external_id": "cn-bdg", "name": "Beijing Drainage Group", "country": "CN", "kind": "public_body"},
    ],
    "demands": [
        {
            "external_id": "d-bj-sludge",
            "organisation": "cn-bdg",
            "title": "Sludge to energy for Beijing",
            "title_zh": "北京污泥资源化",
            "description": "Thermal hydrolysis and anaerobic digestion.",
            "sectors": ["water.sludge"],
            "region": "CN-BJ",
            "kind": "procurement",
            "budget_eur": 5000000,
            "deadline": "2027-06-30",
        }
    ],
    "qrels": {"ignored": "unknown top-level keys are ignored"},
}


def run_import(tmp_path, data, name="directory.json", out=None):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    out = out or StringIO()
    call_command("import_directory", str(path), stdout=out, stderr=out)
    return out.getvalue()


def import_errors(tmp_path, data, name="directory.json"):
    """What the command reports (stderr and the exit message) for a file it refuses."""
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        run_import(tmp_path, data, name, out=out)
    return out.getvalue() + str(failure.value)


@pytest.mark.django_db
def test_a_good_file_creates_organisations_and_demands_with_all_their_fields(tmp_path):
    output = run_import(tmp_path, GOOD)

    assert "organisations: 2 created, 0 updated, 0 unchanged" in output
    assert "demands: 1 created, 0 updated, 0 unchanged" in output
    cambi = Organisation.objects.get(external_id="no-cambi")
    assert (cambi.name, cambi.country.code, cambi.kind, cambi.city) == ("Cambi", "NO", "company", "Asker")
    assert (cambi.employees, cambi.founded, cambi.website) == (250, 1989, "https://www.cambi.com")
    assert sorted(cambi.sectors.values_list("slug", flat=True)) == ["circular.organic-waste", "water.sludge"]
    assert sorted(cambi.looking_for.values_list("code", flat=True)) == ["distributor", "pilot"]
    assert list(cambi.target_regions.values_list("code", flat=True)) == ["CN-BJ"]
    demand = Demand.objects.get(external_id="d-bj-sludge")
    assert demand.organisation.external_id == "cn-bdg"
    assert (demand.title_zh, demand.region.code, demand.budget_eur) == ("北京污泥资源化", "CN-BJ", 5000000)
    assert demand.deadline.isoformat() == "2027-06-30"
    assert list(demand.sectors.values_list("slug", flat=True)) == ["water.sludge"]


@pytest.mark.django_db
def test_a_second_run_of_the_same_file_changes_nothing(tmp_path):
    run_import(tmp_path, GOOD)
    stamps = dict(Organisation.objects.values_list("external_id", "updated_at"))

    output = run_import(tmp_path, GOOD)

    assert "organisations: 0 created, 0 updated, 2 unchanged" in output
    assert "demands: 0 created, 0 updated, 1 unchanged" in output
    assert dict(Organisation.objects.values_list("external_id", "updated_at")) == stamps
    assert (Organisation.objects.count(), Demand.objects.count()) == (2, 1)


@pytest.mark.django_db
def test_a_changed_record_is_updated_in_place_and_a_missing_field_is_kept(tmp_path):
    run_import(tmp_path, GOOD)
    changed = {
        "organisations": [
            {"external_id": "no-cambi", "name": "Cambi ASA", "country": "NO", "sectors": ["water.sludge"]}
        ]
    }

    output = run_import(tmp_path, changed)

    assert "organisations: 0 created, 1 updated, 0 unchanged" in output
    cambi = Organisation.objects.get(external_id="no-cambi")
    assert cambi.name == "Cambi ASA"
    assert list(cambi.sectors.values_list("slug", flat=True)) == ["water.sludge"]
    assert cambi.city == "Asker"  # absent from the record: left as it was
    assert Organisation.objects.count() == 2


def _with(path, value):
    """GOOD with one value replaced: path is (list key, index, field)."""
    data = copy.deepcopy(GOOD)
    kind, index, field = path
    if value is KeyError:
        del data[kind][index][field]
    else:
        data[kind][index][field] = value
    return data


BAD_RECORDS = [
    (
        ("organisations", 0, "sectors"),
        ["water.sludgy"],
        "organisations #1 (no-cambi): sectors: unknown sector: water.sludgy",
    ),
    (("organisations", 0, "country"), "XX", "organisations #1 (no-cambi): country: unknown value “XX”"),
    (("organisations", 0, "country"), "no", "organisations #1 (no-cambi): country: unknown value “no”"),
    (
        ("organisations", 0, "target_regions"),
        ["CN-XX"],
        "organisations #1 (no-cambi): target_regions: unknown region: CN-XX",
    ),
    (("demands", 0, "region"), "Beijing", "demands #1 (d-bj-sludge): region: unknown value “Beijing”"),
    (
        ("demands", 0, "organisation"),
        "cn-nobody",
        "demands #1 (d-bj-sludge): organisation: unknown owner organisation “cn-nobody”",
    ),
    (("organisations", 1, "name"), KeyError, "organisations #2 (cn-bdg): name: This field is required."),
    (("organisations", 1, "name"), "", "organisations #2 (cn-bdg): name: This field may not be blank."),
    (("organisations", 0, "employees"), "250", "organisations #1 (no-cambi): employees: A valid integer is required."),
    (("organisations", 0, "founded"), 1989.5, "organisations #1 (no-cambi): founded: A valid integer is required."),
    (("organisations", 0, "name"), 42, "organisations #1 (no-cambi): name: Not a valid string."),
    (("organisations", 0, "sectors"), "water.sludge", "organisations #1 (no-cambi): sectors: Expected a list of items"),
    (("organisations", 0, "looking_for"), ["friendship"], "looking_for: unknown partnership kind: friendship"),
    (("organisations", 0, "kind"), "startup", "organisations #1 (no-cambi): kind: unknown value “startup”"),
    (("organisations", 0, "website"), "cambi dot com", "organisations #1 (no-cambi): website: Enter a valid URL."),
    (("organisations", 0, "sector"), ["water.sludge"], "organisations #1 (no-cambi): unknown field sector"),
    (("demands", 0, "deadline"), "30.06.2027", "demands #1 (d-bj-sludge): deadline: Date has wrong format."),
    (("demands", 0, "budget_eur"), True, "demands #1 (d-bj-sludge): budget_eur: A valid integer is required."),
    (("demands", 0, "title"), "", None),  # still valid: the Chinese title is there
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "value", "message"), BAD_RECORDS)
def test_each_bad_record_is_reported_with_its_position_and_nothing_is_written(tmp_path, path, value, message):
    data = _with(path, value)
    if message is None:
        run_import(tmp_path, data)
        assert Demand.objects.count() == 1
        return

    errors = import_errors(tmp_path, data)

    assert message in errors
    assert "nothing was imported" in errors
    assert (Organisation.objects.count(), Demand.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_demand_without_any_title_is_refused(tmp_path):
    data = _with(("demands", 0, "title"), "")
    data["demands"][0]["title_zh"] = ""

    errors = import_errors(tmp_path, data)

    assert "demands #1 (d-bj-sludge): a title in English (title) or Chinese (title_zh) is required" in errors


@pytest.mark.django_db
def test_all_bad_records_are_reported_together_and_a_bad_file_leaves_earlier_data_untouched(tmp_path):
    run_import(tmp_path, GOOD)
    data = copy.deepcopy(GOOD)
    data["organisations"][0]["name"] = "Renamed, but must not be written"
    data["organisations"].append({"external_id": "no-cambi", "name": "Twice", "country": "NO"})
    data["organisations"].append("not an object")
    data["demands"][0]["sectors"] = ["nope"]

    errors = import_errors(tmp_path, data)

    assert "organisations #3 (no-cambi): external_id: “no-cambi” appears twice in the file" in errors
    assert "organisations #4: a record must be an object" in errors
    assert "demands #1 (d-bj-sludge): sectors: unknown sector: nope" in errors
    assert "3 problem(s)" in errors
    assert Organisation.objects.get(external_id="no-cambi").name == "Cambi"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "the file must hold a JSON object"),
        ('{"organisations": {"a": 1}}', "organisations: must be a list of records"),
        ('{"qrels": {}}', "the file has no organisations and no demands"),
    ],
)
def test_a_malformed_file_is_refused_with_a_reason(tmp_path, content, message):
    assert message in import_errors(tmp_path, content)


@pytest.mark.django_db
def test_the_labelled_development_set_imports_every_organisation_and_demand(tmp_path):
    """tests/data/matching-dev.json is the labelled development set of the matching, in the import format."""
    data = json.loads((DATA / "matching-dev.json").read_text(encoding="utf-8"))
    out = StringIO()

    call_command("import_directory", str(DATA / "matching-dev.json"), stdout=out)

    assert "organisations: 131 created" in out.getvalue()
    assert "demands: 27 created" in out.getvalue()
    assert set(Organisation.objects.values_list("external_id", flat=True)) == {
        o["external_id"] for o in data["organisations"]
    }
    assert set(Demand.objects.values_list("external_id", flat=True)) == {d["external_id"] for d in data["demands"]}
    chinese_only = Demand.objects.filter(title="").count()
    assert chinese_only == sum(1 for d in data["demands"] if not d["title"])


CSV_HEADER = "external_id,name,country,kind,city,website,sectors,looking_for,target_regions,employees,founded\n"


@pytest.mark.django_db
def test_a_csv_file_of_organisations_imports_with_semicolon_lists(tmp_path):
    content = CSV_HEADER + (
        "se-sweco,Sweco,SE,company,Stockholm,https://www.sweco.se,cities.smart-city;water.supply,pilot;jv,CN-JS;CN-BJ,22000,1889\n"
        "dk-hofor,HOFOR,DK,public_body,Copenhagen,,water.supply,,,,\n"
    )

    output = run_import(tmp_path, content, "organisations.csv")

    assert "organisations: 2 created" in output
    sweco = Organisation.objects.get(external_id="se-sweco")
    assert sorted(sweco.target_regions.values_list("code", flat=True)) == ["CN-BJ", "CN-JS"]
    assert sorted(sweco.looking_for.values_list("code", flat=True)) == ["jv", "pilot"]
    assert (sweco.employees, sweco.founded) == (22000, 1889)
    hofor = Organisation.objects.get(external_id="dk-hofor")
    assert (hofor.employees, hofor.website, hofor.looking_for.count()) == (None, "", 0)


@pytest.mark.django_db
def test_a_bad_csv_row_is_reported_by_its_line_number(tmp_path):
    content = CSV_HEADER + (
        "se-sweco,Sweco,SE,company,Stockholm,,cities.smart-city,,,many,\n"
        "dk-hofor,HOFOR,Denmark,public_body,Copenhagen,,,,,,\n"
    )

    errors = import_errors(tmp_path, content, "organisations.csv")

    assert "organisations line 2 (se-sweco): employees: A valid integer is required." in errors
    assert "organisations line 3 (dk-hofor): country: unknown value “Denmark”" in errors
    assert Organisation.objects.count() == 0


# --- What is rescored afterwards ------------------------------------------------------------


def _organisations(count):
    return {"organisations": [{"external_id": f"no-{n}", "name": f"Org {n}", "country": "NO"} for n in range(count)]}


@pytest.mark.django_db
def test_the_changed_records_are_rescored_one_by_one_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        directory_import(data=GOOD)

    assert len(queued) == 3  # two organisations, one demand
    assert RescoringRun.objects.count() == 0

    with django_capture_on_commit_callbacks() as queued:
        directory_import(data=GOOD)
    assert queued == []  # nothing changed, nothing to rescore


@pytest.mark.django_db
def test_a_bulk_import_starts_one_full_rescoring_instead(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        directory_import(data=_organisations(21))

    assert len(queued) == 1  # the full rescoring's finish (there is no open demand to score)
    assert RescoringRun.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_file_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued, pytest.raises(DirectoryImportError, match="unknown sector"):
        directory_import(data=_with(("organisations", 0, "sectors"), ["water.sludgy"]))

    assert queued == []
    assert RescoringRun.objects.count() == 0
