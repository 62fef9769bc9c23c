"""Handmade engine records for the engine's tests: a small directory of two sides."""

import numpy as np

from matchmaking import engine
from matchmaking.engine import DemandRecord, OrganisationRecord

PARENTS = {
    "water": "water", "water.sludge": "water", "water.supply": "water", "water.wastewater": "water",
    "energy": "energy", "energy.district-heating": "energy", "energy.storage": "energy",
    "maritime": "maritime", "maritime.ports": "maritime",
}  # fmt: skip
CONCEPTS = {
    "sludge": (("sludge",), ("污泥",)),
    "thermal-hydrolysis": (("thermal hydrolysis",), ("热水解",)),
    "district-heating": (("district heating",), ("区域供热", "集中供热")),
    "shore-power": (("shore power",), ("岸电",)),
    "battery": (("battery", "batteries"), ("电池",)),
}
BEIJING_BUYER = 100


def org(id, text="", sectors=(), **kw):
    return OrganisationRecord(id=id, chinese_side=kw.pop("chinese", False), sectors=tuple(sectors), text_en=text, **kw)


def demand(id, text_en="", text_zh="", sectors=(), owner=BEIJING_BUYER, chinese=True, **kw):
    return DemandRecord(
        id=id,
        owner_id=owner,
        owner_chinese_side=chinese,
        sectors=tuple(sectors),
        text_en=text_en,
        text_zh=text_zh,
        **kw,
    )


def scores_of(organisations, demands, concepts=CONCEPTS, **kw):
    features = engine.build_features(organisations, demands, parents=PARENTS, concepts=concepts)
    scores, components = engine.score_chunk(features, np.arange(len(demands)), **kw)
    return scores, components


def varied_directory():
    """Pairs whose reasons take every shape: sectors, groups only, concepts, plain words, Chinese, events."""
    organisations = [
        org(1, "Thermal hydrolysis of sludge, biogas.", ["water.sludge"], target_regions=("CN-BJ",),
            looking_for=("pilot",), gatherings=("event:1", "delegation:2")),
        org(2, "Pumps for water supply networks and leakage control", ["water.supply", "water.wastewater"]),
        org(3, "District heating pipes and heat storage", ["energy.district-heating"], looking_for=("jv",)),
        org(4, "Container terminal automation, quay cranes", ["maritime.ports"], gatherings=("event:1",)),
        org(5, "污泥热水解 电池 岸电", ["water.sludge", "energy.storage"], chinese=True),
    ]  # fmt: skip
    demands = [
        demand(10, text_zh="污泥热水解项目", sectors=["water.sludge"], region="CN-BJ", kind="pilot",
               gatherings=("event:1",)),
        demand(11, "Water supply leakage control pumps", sectors=["water.supply"], region="CN-SD"),
        demand(12, "Heat storage for the district heating network", sectors=["energy"], kind="jv"),
        demand(13, "Quay cranes and terminal automation", sectors=["maritime.ports"], gatherings=("event:1",)),
        demand(14, "Batteries for ferries", sectors=["energy.storage"], owner=1, chinese=False),
    ]  # fmt: skip
    return engine.build_features(organisations, demands, parents=PARENTS, concepts=CONCEPTS)
