"""A small directory of both sides for the rescoring tests."""

import pytest

from tests.factories import DemandFactory, OrganisationFactory
from tests.matchmaking.rescoring.sectors import sectors


@pytest.fixture
def directory():
    buyer = OrganisationFactory(name="Beijing Drainage Group", country="CN")
    cambi = OrganisationFactory(name="Cambi", country="NO", description="Thermal hydrolysis of sewage sludge, biogas.")
    cambi.sectors.set(sectors("water.sludge"))
    grundfos = OrganisationFactory(name="Grundfos", country="DK", description="Pumps for water supply and wastewater.")
    grundfos.sectors.set(sectors("water.supply", "water.wastewater"))
    wind = OrganisationFactory(name="Offshore Wind AS", country="NO", description="Foundations for offshore wind.")
    wind.sectors.set(sectors("energy.wind"))
    other_buyer = OrganisationFactory(name="Qingdao Port", country="CN", description="Sludge from the port works.")
    sludge = DemandFactory(organisation=buyer, title="Sludge treatment", description="Thermal hydrolysis and biogas")
    sludge.sectors.set(sectors("water.sludge"))
    water = DemandFactory(organisation=buyer, title="", title_zh="供水管网漏损控制", description_zh="水泵与供水管网")
    water.sectors.set(sectors("water.supply"))
    return {"buyer": buyer, "cambi": cambi, "grundfos": grundfos, "wind": wind, "other_buyer": other_buyer,
            "sludge": sludge, "water": water}  # fmt: skip
