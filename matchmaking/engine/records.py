"""The engine's input and output records: plain frozen data, built by the caller."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrganisationRecord:
    id: int
    chinese_side: bool
    sectors: tuple = ()
    text_en: str = ""
    text_zh: str = ""
    target_regions: tuple = ()
    home_region: str = ""
    looking_for: tuple = ()
    gatherings: tuple = ()  # upcoming events and delegations, e.g. ("event:4", "delegation:1")


@dataclass(frozen=True)
class DemandRecord:
    id: int
    owner_id: int
    owner_chinese_side: bool
    sectors: tuple = ()
    text_en: str = ""
    text_zh: str = ""
    region: str = ""
    kind: str = ""
    gatherings: tuple = ()


@dataclass
class ScoredPair:
    organisation_id: int
    demand_id: int
    score: float
    components: dict
    reasons: list = field(default_factory=list)
