"""What the demo builds: the demo users, the Stavanger B2B day's programme and people, the delegation.

People at the event and in the delegation are invented placeholders with ``example.org``
addresses, never real persons.
"""

import zoneinfo
from pathlib import Path

from companies.models import Membership
from events.models import MeetingRequest

DIRECTORY_FILE = Path(__file__).with_name("directory.json")
DEMO_PASSWORD = "greenbridge-demo"  # noqa: S105 (published on purpose; the command refuses it outside DEBUG)
LOGINS_FILE_NAME = "demo-logins.txt"

STAVANGER_EVENT_ID = "demo-event-stavanger"
ROUNDTABLE_EVENT_ID = "demo-event-beijing-roundtable"
DELEGATION_ID = "demo-delegation-cph-beijing"
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# role, e-mail, first and last name, organisation, membership role, what to try
USERS = [
    ("administrator", "admin@greenbridge.example", "Demo", "Administrator", None, None,
     "Django admin at /admin/: every record"),
    ("company", "company@greenbridge.example", "Kari", "Nordmann", "no-corvus", Membership.Role.ADMIN,
     "admin of Corvus Energy: edit the profile, see matches, accept Qingdao Port's request at the Stavanger B2B day"),
    ("buyer", "buyer@greenbridge.example", "Wei", "Zhang", "cn-sdpg", Membership.Role.ADMIN,
     "admin of Shandong Port Group: post demands, see ranked Nordic suppliers, answer Kongsberg Maritime's request"),
    ("organiser", "organiser@greenbridge.example", "Ingrid", "Hansen", "no-innovation-norway", Membership.Role.MEMBER,
     "Innovation Norway: runs the Stavanger B2B day and the Beijing delegation; creates events and delegations"),
]  # fmt: skip

# The B2B day, in Europe/Oslo local time: (start, end, is_break)
STAVANGER_PROGRAMME = [
    ("09:00", "09:30", False),
    ("09:30", "10:00", False),
    ("10:00", "10:30", False),
    ("10:30", "11:00", True),  # coffee
    ("11:00", "11:30", False),
    ("11:30", "12:00", False),
    ("12:00", "13:00", True),  # lunch
    ("13:00", "13:30", False),
    ("13:30", "14:00", False),
    ("14:00", "14:30", False),
    ("14:30", "15:00", True),  # coffee
    ("15:00", "15:30", False),
    ("15:30", "16:00", False),
]
PHYSICAL_TABLES = 9
VIRTUAL_ROOM = ("Virtual room 1", "https://meet.example.org/greenbridge-room-1")

# organisation, participant, e-mail (a demo user's e-mail links the registration to that user)
STAVANGER_PARTICIPANTS = [
    ("cn-sdpg", "Zhang Wei", "buyer@greenbridge.example"),
    ("cn-sdpg", "Liu Yang", "liu.yang@sdport.example.org"),
    ("cn-qdport", "Li Na", "li.na@qingdao-port.example.org"),
    ("cn-weichai", "Wang Fang", "wang.fang@weichai.example.org"),
    ("cn-sdmg", "Chen Jing", "chen.jing@sd-marine.example.org"),
    ("cn-sd-energy", "Zhao Lei", "zhao.lei@sd-energy.example.org"),
    ("cn-cimc-raffles", "Sun Li", "sun.li@cimc-raffles.example.org"),
    ("cn-spic-sd", "Zhou Min", "zhou.min@sd-offshore-wind.example.org"),
    ("cn-sd-commerce", "Wu Hao", "wu.hao@sd-commerce.example.org"),
    ("no-corvus", "Kari Nordmann", "company@greenbridge.example"),
    ("no-equinor", "Lars Johansen", "lars.johansen@equinor.example.org"),
    ("no-lyse", "Marte Olsen", "marte.olsen@lyse.example.org"),
    ("no-norled", "Erik Larsen", "erik.larsen@norled.example.org"),
    ("no-dnv", "Silje Andersen", "silje.andersen@dnv.example.org"),
    ("no-kongsberg-maritime", "Jonas Pedersen", "jonas.pedersen@kongsberg.example.org"),
    ("no-green-mountain", "Ingrid Nilsen", "ingrid.nilsen@greenmountain.example.org"),
    ("no-zaptec", "Henrik Berg", "henrik.berg@zaptec.example.org"),
    ("no-beyonder", "Nora Kristiansen", "nora.kristiansen@beyonder.example.org"),
    ("no-norce", "Magnus Haugen", "magnus.haugen@norce.example.org"),
    ("no-uis", "Ida Karlsen", "ida.karlsen@uis.example.org"),
    ("no-aker-solutions", "Anders Solberg", "anders.solberg@akersolutions.example.org"),
    ("no-nel", "Hanne Eriksen", "hanne.eriksen@nel.example.org"),
    ("no-hexagon-purus", "Sindre Jensen", "sindre.jensen@hexagonpurus.example.org"),
    ("no-akva", "Kristine Dahl", "kristine.dahl@akvagroup.example.org"),
    ("no-port-stavanger", "Thomas Bakken", "thomas.bakken@stavangerhavn.example.org"),
]

# e-mail, local slot start: not available then
UNAVAILABLE = [
    ("wang.fang@weichai.example.org", "09:00"),
    ("wang.fang@weichai.example.org", "09:30"),
    ("lars.johansen@equinor.example.org", "13:00"),
    ("lars.johansen@equinor.example.org", "13:30"),
    ("ida.karlsen@uis.example.org", "15:00"),
    ("ida.karlsen@uis.example.org", "15:30"),
    ("zhou.min@sd-offshore-wind.example.org", "11:00"),
]

# requester e-mail, recipient e-mail, status, message
MEETING_REQUESTS = [
    ("buyer@greenbridge.example", "company@greenbridge.example", MeetingRequest.Status.ACCEPTED,
     "We plan battery-electric tugs for Qingdao and Rizhao and would like to hear about your marine battery systems."),
    ("li.na@qingdao-port.example.org", "company@greenbridge.example", MeetingRequest.Status.REQUESTED,
     "Could we meet about batteries and charging for harbour vessels at Qingdao?"),
    ("jonas.pedersen@kongsberg.example.org", "buyer@greenbridge.example", MeetingRequest.Status.REQUESTED,
     "We would like to present electric propulsion and remote operation for harbour craft."),
]  # fmt: skip

DELEGATION_SECTORS = [
    "water.supply",
    "water.wastewater",
    "water.sludge",
    "energy.district-heating",
    "energy.efficiency",
]
# organisation, people (invented placeholder names, one per line)
DELEGATION_MEMBERS = [
    ("dk-copenhagen", "Lord Mayor of Copenhagen\nMette Sørensen, Head of International Relations"),
    ("dk-hofor", "Søren Nielsen, Director, Water Supply\nAnne Kristensen, District Heating Planning Manager"),
    ("dk-biofos", "Rasmus Møller, Head of Process Development"),
    ("dk-grundfos", "Camilla Rasmussen, Business Development Director, Water Utility, China"),
    ("dk-danfoss", "Mads Poulsen, Sales Director, District Energy"),
    ("dk-kamstrup", "Louise Christensen, Key Account Manager, Asia"),
    ("dk-kruger", "Jesper Madsen, Senior Process Engineer, Sludge and Biogas"),
    ("dk-dhi", "Katrine Thomsen, Urban Water Specialist"),
    ("dk-logstor", "Frederik Jørgensen, Export Manager"),
    ("dk-avk", "Sofie Mortensen, Regional Sales Manager"),
    ("dk-state-of-green", "Kasper Lund, Delegation Manager"),
    ("dk-clean", "Julie Holm, Project Manager, International Water Programme"),
]
