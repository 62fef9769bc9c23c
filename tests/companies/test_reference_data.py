"""The data migration holds exactly the sector table of tests/data/sectors.tsv and the ISO regions."""

import csv
from pathlib import Path

import pytest

from companies.models import Partnership, PartnershipKind, Region, Sector

# A few rows copied by hand from tests/data/sectors.tsv: (slug, English, Chinese, parent).
SPOT_CHECKS = [
    ("energy", "Energy", "能源", None),
    ("water.sludge", "Sludge and biosolids treatment", "污泥处理与资源化", "water"),
    ("maritime.shipping", "Green shipping and ship electrification", "绿色航运与船舶电动化", "maritime"),
    ("industry.ccus", "Carbon capture, utilisation and storage", "碳捕集、利用与封存", "industry"),
    ("agrifood.agritech", "Agri-food technology", "农业食品科技", "agrifood"),
]
GROUPS = [
    "energy",
    "water",
    "circular",
    "mobility",
    "maritime",
    "cities",
    "industry",
    "environment",
    "health",
    "agrifood",
]


@pytest.mark.django_db
def test_the_taxonomy_has_the_44_rows_of_the_design_in_ten_groups():
    assert Sector.objects.count() == 44
    assert list(Sector.objects.filter(parent=None).values_list("slug", flat=True)) == GROUPS


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "name_en", "name_zh", "parent"), SPOT_CHECKS)
def test_sector_rows_carry_english_and_chinese_names(slug, name_en, name_zh, parent):
    sector = Sector.objects.get(slug=slug)
    assert (sector.name_en, sector.name_zh) == (name_en, name_zh)
    assert (sector.parent.slug if sector.parent else None) == parent


@pytest.mark.django_db
def test_every_row_of_the_design_table_is_in_the_database_and_nothing_else():
    """tests/data/sectors.tsv is the published taxonomy; its slugs are part of the API and the import format."""
    with (Path(__file__).parent.parent / "data" / "sectors.tsv").open(encoding="utf-8") as handle:
        expected = {
            (r["slug"], r["name_en"], r["name_zh"], r["parent"]) for r in csv.DictReader(handle, delimiter="\t")
        }
    stored = {
        (s.slug, s.name_en, s.name_zh, s.parent.slug if s.parent else "")
        for s in Sector.objects.select_related("parent")
    }
    assert stored == expected


@pytest.mark.django_db
def test_every_sector_has_a_chinese_name_and_every_leaf_sits_under_its_slug_prefix():
    for sector in Sector.objects.select_related("parent"):
        assert sector.name_zh.strip(), sector.slug
        if sector.parent:
            assert sector.slug.startswith(sector.parent.slug + "."), sector.slug
            assert sector.parent.parent_id is None


@pytest.mark.django_db
def test_regions_are_the_34_iso_3166_2_cn_codes_with_both_names():
    assert Region.objects.count() == 34
    assert Region.objects.get(code="CN-BJ").name_zh == "北京市"
    assert Region.objects.get(code="CN-SD").name_en == "Shandong"
    assert all(r.code.startswith("CN-") and len(r.code) == 5 and r.name_zh for r in Region.objects.all())


@pytest.mark.django_db
def test_partnership_kinds_are_the_seven_of_the_design():
    assert set(Partnership.objects.values_list("code", flat=True)) == set(PartnershipKind.values)
    assert len(PartnershipKind.values) == 7


@pytest.mark.django_db
def test_sector_name_follows_the_active_language():
    from django.utils import translation

    sector = Sector.objects.get(slug="water.sludge")
    with translation.override("zh-hans"):
        assert sector.name == "污泥处理与资源化"
    with translation.override("en"):
        assert sector.name == "Sludge and biosolids treatment"
