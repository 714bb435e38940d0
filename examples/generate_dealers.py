"""Write a dealer-scraper export (69 columns) as messy as the real one, from a fixed seed.

    python examples/generate_dealers.py                      # examples/dealers.csv, 1,000 rows
    python examples/generate_dealers.py --rows 8277 --out /tmp/dealers-8k.csv
    python examples/generate_dealers.py --without-icp        # no upstream ICP columns

The same seed and row count always give the same bytes. The shares follow a measured
export of 8,277 dealers: 97% of rows name one OEM; the program tier is "Standard" for
about half, "Diamond Commercial" for nearly every Mitsubishi row, and a strong tier ("Elite",
"ELITE IQ INSTALLER") only rarely; every capability flag is empty (unknown) for 30% of
rows and `has_generator` is never true; 80% of rows have no reviews (rating 0); a
quarter have no website, almost none an email, and about 7% give as their website a page
on a booking or locator platform that hundreds of dealers share. Names and cities are
sometimes shouted in capitals and carry legal suffixes, addresses carry scraped junk,
distinct companies have names a digit or a letter apart, and 3-5% of rows list an
earlier dealer again under another spelling, phone format or website form. A few rows
are bad on purpose (no name, no way to reach the company, a broken email as the only
contact). The upstream ICP columns are computed by `upstream_icp`, the export owner's
own scorer. Phone numbers use the 555-01xx range, which is reserved for fiction.

Tests use `generate()`, which also says which rows repeat which and which are bad.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import random
import re
import string
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Generic, TypeVar

DEFAULT_OUT = Path(__file__).resolve().parent / "dealers.csv"
DEFAULT_ROWS = 1000
DEFAULT_SEED = 20240611

COLUMNS = [
    "dealer_id", "name", "phone", "domain", "website", "email", "street", "city", "state",
    "zip", "county", "country", "address_full", "latitude", "longitude", "place_id",
    "rating", "review_count", "google_rating", "google_review_count", "tier", "oem_source",
    "OEMs_Certified", "OEM_Count", "certifications", "has_hvac", "has_solar",
    "has_inverters", "has_generator", "has_battery", "has_electrical", "has_plumbing",
    "has_roofing", "is_commercial", "is_residential", "is_gc", "ICP_Score", "ICP_Tier",
    "Resimercial_Score", "MultiOEM_Score", "MEPR_Score", "OM_Score", "Resimercial_Evidence",
    "MultiOEM_Evidence", "MEPR_Evidence", "OM_Evidence", "employee_count",
    "estimated_revenue", "linkedin_url", "facebook_url", "instagram_url", "yelp_url",
    "hours", "business_status", "google_category", "years_in_business", "license_number",
    "services", "service_area", "description", "search_zip", "search_radius_miles",
    "distance_miles", "locator_rank", "source_url", "scraped_at", "last_verified",
    "data_quality_score", "notes",
]
assert len(COLUMNS) == 69, len(COLUMNS)
ICP_COLUMNS = (
    "ICP_Score", "ICP_Tier", "Resimercial_Score", "MultiOEM_Score", "MEPR_Score", "OM_Score",
    "Resimercial_Evidence", "MultiOEM_Evidence", "MEPR_Evidence", "OM_Evidence",
)
FLAG_COLUMNS = (
    "has_hvac", "has_solar", "has_inverters", "has_generator", "has_battery",
    "has_electrical", "has_plumbing", "has_roofing", "is_commercial", "is_residential",
    "is_gc",
)

T = TypeVar("T")


class Weighted(Generic[T]):
    """Values drawn in proportion to their weights.

    A bisect over cumulative weights costs a fraction of ``random.choices`` per draw,
    which matters at a hundred draws per row and ten thousand rows.
    """

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        self.values: list[T] = []
        self.cumulative: list[float] = []
        total = 0.0
        for value, weight in pairs:
            if weight > 0:
                total += weight
                self.values.append(value)
                self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


# Capability flags as a locator reports them: (is_residential, is_commercial) when known.
ResiCommercial = Weighted[tuple[bool, bool]]


def resi_commercial(residential: float, commercial: float, both: float) -> ResiCommercial:
    neither = 100 - residential - commercial - both
    return Weighted([((True, False), residential), ((False, True), commercial),
                     ((True, True), both), ((False, False), neither)])


@dataclass(frozen=True)
class Oem:
    """One OEM dealer locator, with the shares measured in the real export."""

    name: str
    category: str  # generator | hvac | battery | solar
    code: str  # dealer_id prefix
    locator: str
    listings: int  # rows naming it as oem_source, per 8,277
    tiers: Weighted[str]
    flags_unknown: float  # share of its rows whose locator gives no capability flags
    flags: ResiCommercial


# Generator locators seldom say who a dealer serves; HVAC locators nearly always say homes.
GENERATOR_FLAGS = resi_commercial(residential=17, commercial=4, both=2)
HVAC_FLAGS = resi_commercial(residential=92.5, commercial=5, both=2)
SOLAR_FLAGS = resi_commercial(residential=89, commercial=6, both=3)
OEMS: tuple[Oem, ...] = (
    Oem("Generac", "generator", "GEN", "https://www.generac.com/dealer-locator/", 1740,
        Weighted([("Standard", 90.5), ("Select", 3), ("Elite", 2), ("Elite Plus", 0.8),
                  ("Premier", 1.2), ("", 2.2), ("1 Years in Business", 0.3)]),
        0.73, GENERATOR_FLAGS),
    # Mitsubishi's commercial locator: every dealer is "Diamond Commercial", and it seldom
    # says a dealer also does homes.
    Oem("Mitsubishi Electric", "hvac", "MIT",
        "https://www.mitsubishicomfort.com/find-a-contractor", 1770,
        Weighted([("Diamond Commercial", 99.6), ("", 0.4)]),
        0.40, resi_commercial(residential=1.5, commercial=70, both=1)),
    Oem("Briggs & Stratton", "generator", "BRI",
        "https://www.briggsandstratton.com/na/en_us/dealer-locator.html", 820,
        Weighted([("Standard", 89), ("ELITE IQ INSTALLER", 2), ("Dealer", 3), ("", 5.5),
                  ("Briggs & Stratton", 0.5)]),
        0.42, GENERATOR_FLAGS),
    Oem("Cummins", "generator", "CUM",
        "https://www.cummins.com/na/generators/home-standby/find-a-dealer", 700,
        Weighted([("Standard", 60), ("Dealer", 31), ("Authorized Dealer", 2), ("Cummins", 2.5),
                  ("", 4.5)]),
        0.12, GENERATOR_FLAGS),
    Oem("Carrier", "hvac", "CAR", "https://www.carrier.com/residential/en/us/find-a-dealer/",
        1300,
        Weighted([("Carrier Factory Authorized Dealer", 28),
                  ("Factory Authorized, Award Winner", 13),
                  ("Award Winner, Google, Carrier Authorized", 12),
                  ("Carrier Authorized", 7), ("Factory Authorized", 7),
                  ("Google, Carrier Authorized", 5),
                  ("Award Winner, Carrier Factory Authorized Dealer", 4),
                  ("President's Award, Factory Authorized", 2),
                  ("Standard", 9), ("Dealer", 6), ("", 7)]),
        0.01, HVAC_FLAGS),
    Oem("York", "hvac", "YOR", "https://www.york.com/residential-equipment/find-a-dealer", 700,
        Weighted([("York Certified Comfort Expert", 40), ("Standard", 33), ("Dealer", 14),
                  ("Award Winner, York Certified Comfort Expert", 4), ("", 9)]),
        0.01, HVAC_FLAGS),
    Oem("Trane", "hvac", "TRA", "https://www.trane.com/residential/en/dealer-locator/", 260,
        Weighted([("Standard", 62), ("Dealer", 26), ("Trane Comfort Specialist", 7),
                  ("", 5)]),
        0.01, HVAC_FLAGS),
    Oem("Lennox", "hvac", "LEN", "https://www.lennox.com/locate", 210,
        Weighted([("Standard", 62), ("Dealer", 26), ("Lennox Premier Dealer", 5), ("", 7)]),
        0.01, HVAC_FLAGS),
    Oem("Rheem", "hvac", "RHE", "https://www.rheem.com/find-a-pro/", 160,
        Weighted([("Standard", 62), ("Dealer", 26), ("Rheem Pro Partner", 7), ("", 5)]),
        0.01, HVAC_FLAGS),
    Oem("Kohler", "generator", "KOH", "https://www.kohlerhomeenergy.rehlko.com/find-a-dealer",
        300,
        Weighted([("Standard", 76), ("Dealer", 14), ("Kohler", 2), ("", 8)]),
        0.10, GENERATOR_FLAGS),
    Oem("Tesla", "battery", "TES", "https://www.tesla.com/support/certified-installers", 70,
        Weighted([("Premier", 25), ("Certified Installer", 65), ("", 10)]),
        0.05, SOLAR_FLAGS),
    Oem("Enphase", "solar", "ENP", "https://enphase.com/installer-locator", 30,
        Weighted([("Platinum", 15), ("Gold", 30), ("Silver", 20), ("Standard", 25),
                  ("", 10)]),
        0.05, SOLAR_FLAGS),
    Oem("SolarEdge", "solar", "SED", "https://www.solaredge.com/us/find-an-installer", 30,
        Weighted([("Standard", 60), ("Preferred Installer", 25), ("", 15)]),
        0.05, SOLAR_FLAGS),
    Oem("SMA", "solar", "SMA", "https://www.sma-america.com/where-to-buy", 22,
        Weighted([("Standard", 55), ("Installer", 30), ("", 15)]),
        0.05, SOLAR_FLAGS),
)
OEM_BY_NAME = {oem.name: oem for oem in OEMS}
OEM_CATEGORY = {oem.name: oem.category for oem in OEMS}
PICK_OEM = Weighted((oem, oem.listings) for oem in OEMS)
MITSUBISHI = OEM_BY_NAME["Mitsubishi Electric"]
GENERATOR_OEMS = Weighted((oem, oem.listings) for oem in OEMS if oem.category == "generator")

# city, state, first ZIP, area codes, county, latitude, longitude
City = tuple[str, str, int, tuple[int, ...], str, float, float]
CITIES: list[City] = [
    ("Austin", "TX", 78701, (512, 737), "Travis", 30.27, -97.74),
    ("Houston", "TX", 77002, (713, 281, 832), "Harris", 29.76, -95.37),
    ("Dallas", "TX", 75201, (214, 469, 972), "Dallas", 32.78, -96.80),
    ("San Antonio", "TX", 78205, (210, 726), "Bexar", 29.42, -98.49),
    ("Phoenix", "AZ", 85004, (602, 480, 623), "Maricopa", 33.45, -112.07),
    ("Tucson", "AZ", 85701, (520,), "Pima", 32.22, -110.97),
    ("Denver", "CO", 80202, (303, 720), "Denver", 39.74, -104.99),
    ("Miami", "FL", 33130, (305, 786), "Miami-Dade", 25.76, -80.19),
    ("Tampa", "FL", 33602, (813, 656), "Hillsborough", 27.95, -82.46),
    ("Orlando", "FL", 32801, (407, 321), "Orange", 28.54, -81.38),
    ("Atlanta", "GA", 30303, (404, 678, 470), "Fulton", 33.75, -84.39),
    ("Charlotte", "NC", 28202, (704, 980), "Mecklenburg", 35.23, -80.84),
    ("Raleigh", "NC", 27601, (919, 984), "Wake", 35.78, -78.64),
    ("Nashville", "TN", 37203, (615, 629), "Davidson", 36.16, -86.78),
    ("Boston", "MA", 2108, (617, 857), "Suffolk", 42.36, -71.06),
    ("Worcester", "MA", 1608, (508, 774), "Worcester", 42.26, -71.80),
    ("Providence", "RI", 2903, (401,), "Providence", 41.82, -71.41),
    ("Hartford", "CT", 6103, (860, 959), "Hartford", 41.76, -72.67),
    ("Newark", "NJ", 7102, (973, 862), "Essex", 40.74, -74.17),
    ("Edison", "NJ", 8817, (732, 848), "Middlesex", 40.52, -74.41),
    ("Albany", "NY", 12207, (518, 838), "Albany", 42.65, -73.76),
    ("Buffalo", "NY", 14202, (716,), "Erie", 42.89, -78.88),
    ("Philadelphia", "PA", 19103, (215, 267), "Philadelphia", 39.95, -75.17),
    ("Pittsburgh", "PA", 15222, (412, 878), "Allegheny", 40.44, -80.00),
    ("Columbus", "OH", 43215, (614, 380), "Franklin", 39.96, -83.00),
    ("Cleveland", "OH", 44113, (216,), "Cuyahoga", 41.50, -81.69),
    ("Detroit", "MI", 48226, (313,), "Wayne", 42.33, -83.05),
    ("Grand Rapids", "MI", 49503, (616,), "Kent", 42.96, -85.67),
    ("Chicago", "IL", 60601, (312, 773, 872), "Cook", 41.88, -87.63),
    ("Indianapolis", "IN", 46204, (317, 463), "Marion", 39.77, -86.16),
    ("Milwaukee", "WI", 53202, (414,), "Milwaukee", 43.04, -87.91),
    ("Minneapolis", "MN", 55401, (612,), "Hennepin", 44.98, -93.27),
    ("Kansas City", "MO", 64105, (816,), "Jackson", 39.10, -94.58),
    ("St. Louis", "MO", 63101, (314,), "St. Louis City", 38.63, -90.20),
    ("Omaha", "NE", 68102, (402, 531), "Douglas", 41.26, -95.93),
    ("Oklahoma City", "OK", 73102, (405, 572), "Oklahoma", 35.47, -97.52),
    ("Las Vegas", "NV", 89101, (702, 725), "Clark", 36.17, -115.14),
    ("Salt Lake City", "UT", 84101, (801, 385), "Salt Lake", 40.76, -111.89),
    ("Boise", "ID", 83702, (208, 986), "Ada", 43.62, -116.20),
    ("Portland", "OR", 97204, (503, 971), "Multnomah", 45.52, -122.68),
    ("Seattle", "WA", 98101, (206,), "King", 47.61, -122.33),
    ("Spokane", "WA", 99201, (509,), "Spokane", 47.66, -117.43),
    ("Sacramento", "CA", 95814, (916, 279), "Sacramento", 38.58, -121.49),
    ("San Diego", "CA", 92101, (619, 858), "San Diego", 32.72, -117.16),
    ("Los Angeles", "CA", 90012, (213, 323), "Los Angeles", 34.05, -118.24),
    ("Fresno", "CA", 93721, (559,), "Fresno", 36.74, -119.79),
    ("Albuquerque", "NM", 87102, (505,), "Bernalillo", 35.08, -106.65),
    ("Baton Rouge", "LA", 70801, (225,), "East Baton Rouge", 30.45, -91.19),
    ("New Orleans", "LA", 70112, (504,), "Orleans", 29.95, -90.07),
    ("Birmingham", "AL", 35203, (205, 659), "Jefferson", 33.52, -86.80),
    ("Charleston", "SC", 29401, (843, 854), "Charleston", 32.78, -79.93),
    ("Richmond", "VA", 23219, (804,), "Richmond City", 37.54, -77.44),
    ("Virginia Beach", "VA", 23451, (757, 948), "Virginia Beach City", 36.85, -75.98),
    ("Baltimore", "MD", 21202, (410, 443, 667), "Baltimore City", 39.29, -76.61),
    ("Portland", "ME", 4101, (207,), "Cumberland", 43.66, -70.26),
    ("Burlington", "VT", 5401, (802,), "Chittenden", 44.48, -73.21),
    ("Manchester", "NH", 3101, (603,), "Hillsborough", 42.99, -71.46),
    ("Louisville", "KY", 40202, (502,), "Jefferson", 38.25, -85.76),
    ("Little Rock", "AR", 72201, (501,), "Pulaski", 34.75, -92.29),
    ("Des Moines", "IA", 50309, (515,), "Polk", 41.59, -93.62),
]
CITIES_BY_STATE: dict[str, list[City]] = {}
for _city in CITIES:
    CITIES_BY_STATE.setdefault(_city[1], []).append(_city)
AREA_CODES_BY_STATE = {
    state: [code for city in cities for code in city[3]]
    for state, cities in CITIES_BY_STATE.items()
}
STATE_NAMES = {
    "TX": "Texas", "FL": "Florida", "CA": "California", "NY": "New York", "PA": "Pennsylvania",
    "MA": "Massachusetts", "NC": "North Carolina", "OH": "Ohio", "GA": "Georgia",
    "AZ": "Arizona", "CO": "Colorado", "MI": "Michigan", "IL": "Illinois", "WA": "Washington",
}

# --- names ------------------------------------------------------------------------------

SURNAMES = [
    "Smith", "Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
    "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen",
    "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
    "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris",
    "Murphy", "Cook", "Rogers", "Morgan", "Peterson", "Cooper", "Reed", "Bailey", "Bell",
    "Gomez", "Kelly", "Howard", "Ward", "Cox", "Diaz", "Richardson", "Wood", "Watson",
    "Brooks", "Bennett", "Gray", "James", "Reyes", "Hughes", "Price", "Myers", "Long",
    "Foster", "Sanders", "Ross", "Morales", "Powell", "Sullivan", "Russell", "Ortiz",
    "Jenkins", "Perry", "Butler", "Barnes", "Fisher", "Henderson", "Coleman", "Simmons",
    "Patterson", "Jordan", "Reynolds", "Hamilton", "Graham", "Kim", "Gonzales", "Alexander",
    "Ramos", "Wallace", "Griffin", "West", "Cole", "Hayes", "Chavez", "Gibson", "Bryant",
    "Ellis", "Stevens", "Murray", "Ford", "Marshall", "Owens", "McDonald", "Harrison",
    "O'Brien", "O'Connor", "O'Neal", "D'Amico", "Schultz", "Kowalski", "Nowak", "Becker",
    "Hoffman", "Larson", "Hanson", "Olson", "Lindqvist", "Dubois", "Fontaine", "Vance",
]
FIRST_NAMES = ["Dave", "Mike", "Tom", "Joe", "Bob", "Jim", "Steve", "Rick", "Gary", "Jeff",
               "Tony", "Rob", "Chris", "Dan", "Ron", "Larry", "Bill", "Ed", "Sam", "Al"]
PLACE_WORDS = [
    "Lone Star", "Sunbelt", "Coastal", "Mountain View", "Blue Ridge", "Prairie", "Gulf Coast",
    "Desert", "Evergreen", "Capital City", "Bayou", "Great Lakes", "Heartland", "Tri-County",
    "Valley", "Summit", "Pinnacle", "Keystone", "Liberty", "Patriot", "Frontier", "Granite",
    "Harbor", "Red River", "Twin Oaks", "Pioneer", "Metro", "All Seasons", "Allied",
    "Precision", "Reliable", "Superior", "Advanced", "American", "Southern", "Northern",
    "Bright Future", "True North", "Integrity", "Quality", "Affordable", "Accurate",
    "Dependable", "Family", "Hometown", "Legacy", "Midwest", "Pacific", "Atlantic", "Eagle",
    "Cardinal", "Arrow", "Apex", "Elite", "Premier", "Priority", "First Class", "Express",
    "Pro", "Total", "Complete", "United", "Guardian", "Anchor", "Beacon", "Compass",
]
# Name pairs a letter or two apart, each its own company; a fuzzy match calls them equal.
LOOKALIKE_SURNAMES = [
    ("Roper's", "Ross"), ("Hanson", "Hansen"), ("Peterson", "Petersen"),
    ("Johnson", "Johnston"), ("Allen", "Allan"), ("Reed", "Reid"), ("Gray", "Grey"),
    ("Myers", "Meyers"), ("Stevens", "Stephens"), ("Thompson", "Thomson"),
    ("Nelson", "Nielsen"), ("Carlson", "Karlson"), ("Snyder", "Snider"),
    ("Schmidt", "Schmitt"), ("Phillips", "Philips"), ("Matthews", "Mathews"),
    ("Bryan", "Bryant"), ("Watts", "Watt"), ("Lane", "Laine"), ("Coles", "Cole"),
]
NUMBERED_WORDS = ["Phase", "Zone", "Dealer", "Unit", "Station", "District", "Circuit", "Line"]
INITIAL_LETTERS = "ABCDEGJKLMPRSTW"

def _weights_of(table: Weighted[T]) -> list[float]:
    previous = 0.0
    weights = []
    for total in table.cumulative:
        weights.append(total - previous)
        previous = total
    return weights


# Trade words after the leading word, per OEM category; weights are per 100 names of the
# category. Together with the O&M endings below they set how often the export owner's
# scorer sees a second trade, a commercial or home word, or a service word.
TRADE_CORES: dict[str, Weighted[str]] = {
    "generator": Weighted([
        ("Electric", 30), ("Electrical", 8), ("Electrical Contractors", 2), ("Power", 8),
        ("Power Systems", 4), ("Generator", 7), ("Generators", 5), ("Standby Power", 3),
        ("Backup Power", 2), ("Energy", 3), ("Electric & Generator", 2),
        ("Power & Light", 1), ("Heating & Air", 1.2), ("Plumbing & Electric", 0.4),
        ("Mechanical", 0.4), ("HVAC", 0.4), ("Enterprises", 3), ("Construction", 1.5),
        ("Contracting", 1.5), ("", 5), ("Industrial Electric", 0.3),
        ("Commercial Electric", 0.2), ("Home Energy", 0.4), ("Electric & Roofing", 0.2),
    ]),
    "hvac": Weighted([
        ("Heating & Air", 18), ("Heating and Air", 5), ("Heating & Cooling", 12),
        ("Heating and Air Conditioning", 3), ("Air Conditioning", 6),
        ("Air Conditioning & Heating", 5), ("HVAC", 10), ("Mechanical", 7),
        ("Comfort Systems", 4), ("Air", 3), ("Heat & Air", 2), ("Refrigeration", 2),
        ("Climate Control", 2), ("Mechanical Contractors", 2), ("Enterprises", 2), ("", 4),
        ("Energy", 1), ("Plumbing, Heating & Air", 0.6), ("Plumbing & Heating", 0.5),
        ("Electric, Heating & Air", 0.3), ("Home Comfort", 0.6),
        ("Commercial HVAC", 0.3),
    ]),
    "solar": Weighted([
        ("Solar", 40), ("Solar Energy", 12), ("Energy", 12), ("Renewables", 5), ("Power", 6),
        ("Electric", 8), ("Solar & Roofing", 3), ("Roofing & Solar", 2),
        ("Solar Power", 5),
    ]),
    "battery": Weighted([
        ("Solar", 25), ("Energy", 20), ("Electric", 20), ("Power", 10), ("Energy Storage", 5),
        ("Solar & Electric", 5), ("Electrical", 5), ("Home Energy", 2), ("Solar & Roofing", 2),
    ]),
}
# Mitsubishi's commercial dealers seldom call themselves a home business.
MITSUBISHI_CORES = Weighted(
    (core, weight)
    for core, weight in zip(TRADE_CORES["hvac"].values, _weights_of(TRADE_CORES["hvac"]),
                            strict=True)
    if "Home" not in core
)
OM_ENDINGS = Weighted([
    ("Services", 30), ("Service", 30), ("Solutions", 14), ("Repair", 7),
    ("Service & Repair", 3), ("Maintenance", 3), ("Home Services", 6), ("Service Co.", 3),
    ("Commercial Services", 1),
])
OM_ENDING_SHARE = {"generator": 0.042, "hvac": 0.042, "solar": 0.03, "battery": 0.03}
LEGAL = Weighted([
    ("", 52), (" LLC", 14), (", LLC", 8), (" Inc.", 6), (", Inc.", 6), (" Inc", 3),
    (" Co.", 3), (" Corp", 2), (" Company", 2.5), (" L.L.C.", 1.5), (", L.L.C.", 1),
    (" Corporation", 1), (" Ltd", 0.5), (" PLLC", 0.5),
])
LEGAL_FORMS = [" LLC", ", LLC", " Inc.", ", Inc.", " Inc", " Co.", " Corp", " L.L.C."]
LEGAL_ENDING = re.compile(
    r",?\s+(LLC\.?|L\.L\.C\.|Inc\.?|Co\.|Corp\.?|Company|Corporation|Ltd|PLLC)$", re.IGNORECASE
)

# --- addresses and the rest ---------------------------------------------------------------

STREETS = ["Main St", "Oak Ave", "Industrial Blvd", "Commerce Dr", "Elm St", "Park Ave",
           "Highway 290 W", "FM 1960 Rd", "Route 9", "N Lamar Blvd", "Technology Pkwy",
           "Airport Rd", "Market St", "Cedar Ln", "Business Park Dr", "S Congress Ave",
           "W 5th St", "Old Mill Rd", "Enterprise Way", "Sunset Blvd", "County Road 12",
           "State Hwy 71", "E Broadway", "Maple Dr", "Washington Ave", "Church St"]
UNITS = ["Ste 200", "Suite B", "Unit 4", "#105", "Bldg 2", "Suite 1400", "STE 3"]
CERTIFICATIONS = ["NABCEP PV Installation Professional", "EPA 608 Universal", "NATE Certified",
                  "Licensed Master Electrician", "BBB A+", "OSHA 30", "Generac PWRcell Certified",
                  "Tesla Certified Installer", "NFPA 70E", "Licensed Plumber"]
SERVICES = {
    "generator": ["Generator installation", "Generator repair", "Maintenance plans"],
    "battery": ["Battery backup", "Energy storage design"],
    "solar": ["Solar panel installation", "Solar repair", "Roof mounts"],
    "hvac": ["AC repair", "Furnace installation", "Duct cleaning", "Heat pumps"],
}
CATEGORY = {"generator": "Electrician", "battery": "Electrician",
            "solar": "Solar energy contractor", "hvac": "HVAC contractor"}
HOURS = ["Mon-Fri 8AM-5PM", "Mon-Fri 7:30AM-6PM; Sat 9AM-1PM", "Open 24 hours",
         "Mon-Sat 8AM-6PM", "", "", ""]
REVENUE = ["$1M-$5M", "$500K-$1M", "$5M-$10M", "$10M-$25M", "< $500K"]
BAD_EMAILS = ["bob@", "sales at {domain}", "info@{domain_no_tld}", "office@@{domain}"]
FREE_MAIL = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "aol.com", "hotmail.com",
             "outlook.com", "comcast.net"]
SCRAPED_FROM = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
PHONE_FORMATS = Weighted([
    ("({a}) {b}-{c}", 40), ("{a}-{b}-{c}", 20), ("{a}.{b}.{c}", 10), ("+1 {a}-{b}-{c}", 8),
    ("+1 {a} {b} {c}", 4), ("{a}{b}{c}", 8), ("1-{a}-{b}-{c}", 4), ("({a}) {b}-{c} x{ext}", 2),
    ("+1{a}{b}{c}", 4),
])
# Booking, website-builder and listing platforms dealers give as their website: the host
# is shared, the path is the dealer. mitsubishicomfort.com is the big one: Mitsubishi's
# locator links its contractor profile when a dealer has no site of its own.
PLATFORMS = Weighted([("housecallpro", 32), ("facebook", 26), ("sites.google", 18),
                      ("business.site", 12), ("homeadvisor", 12)])



# --- the export owner's ICP scorer --------------------------------------------------------
# Reproduced so the ICP columns mean what they mean in the real export: each dimension is
# the best of the rules that apply, from the name, the tier, the OEM list and two flags.

COMMERCIAL_WORDS = re.compile(r"\b(commercial|industrial|business)", re.IGNORECASE)
RESIDENTIAL_WORDS = re.compile(r"\b(residential|home|house)", re.IGNORECASE)
TRADE_WORDS = {
    "mechanical": re.compile(r"\b(hvac|heating|cooling|air|mechanical)\b", re.IGNORECASE),
    "electrical": re.compile(r"\b(electric)", re.IGNORECASE),
    "plumbing": re.compile(r"\b(plumb)", re.IGNORECASE),
    "roofing": re.compile(r"\b(roof)", re.IGNORECASE),
}
OM_WORDS = re.compile(r"\b(services|service|maintenance|repair|solutions)\b|24/7", re.IGNORECASE)
# Substrings, so "Elite Plus" and "ELITE IQ INSTALLER" count. Diamond (Mitsubishi's top
# commercial tier) is a top tier for resimercial fit, but it is no service program, so it
# does not count as the elite-type tier the O&M dimension looks for.
TOP_TIERS = ("elite", "premier", "platinum", "diamond")
ELITE_TIERS = ("elite", "premier", "platinum")
ICP_WEIGHTS = {"resimercial": 0.35, "multi_oem": 0.25, "mepr": 0.25, "om": 0.15}
OEM_TRADE = {"hvac": ("mechanical", "HVAC OEM implies mechanical"),
             "generator": ("electrical", "Generator OEM implies electrical"),
             "solar": ("electrical", "Solar OEM implies electrical"),
             "battery": ("electrical", "Battery OEM implies electrical")}


def icp_tier(score: float) -> str:
    """The export's band for an ICP score."""
    if score >= 80:
        return "PLATINUM"
    if score >= 60:
        return "GOLD"
    if score >= 40:
        return "SILVER"
    return "BRONZE"


def upstream_icp(row: Mapping[str, str]) -> dict[str, str]:
    """The export owner's ICP columns for one row (scores 0-100, evidence texts).

    Resimercial 35%: commercial and residential signals 100, commercial 70, residential
    60, a top tier with a generator OEM 75, a generator OEM 50, else 40. Multi-OEM 25%:
    25 per OEM up to 100. MEP+R 25%: trades from OEM categories and name words, one 50,
    two 75, three or more 100. O&M 15%: two service words in the name 100, one 75, an
    elite-type tier 60, else 25.
    """
    name = row.get("name", "")
    tier = row.get("tier", "")
    tier_lower = tier.lower()
    oems = [oem.strip() for oem in row.get("OEMs_Certified", "").split(",") if oem.strip()]
    count_cell = row.get("OEM_Count", "").strip()
    oem_count = int(count_cell) if count_cell.isdigit() else len(oems)
    categories = [OEM_CATEGORY[oem] for oem in oems if oem in OEM_CATEGORY]
    generator_oems = [oem for oem in oems if OEM_CATEGORY.get(oem) == "generator"]

    # Resimercial
    commercial: list[str] = []
    if found := COMMERCIAL_WORDS.search(name):
        commercial.append(f"Commercial indicator in name: {found.group(1).lower()}")
    if "commercial" in tier_lower:
        commercial.append("Commercial indicator in tier")
    if row.get("is_commercial") == "True":
        commercial.append("Commercial flag set")
    residential: list[str] = []
    if found := RESIDENTIAL_WORDS.search(name):
        residential.append(f"Residential indicator in name: {found.group(1).lower()}")
    if row.get("is_residential") == "True":
        residential.append("Residential flag set")
    rules: list[tuple[int, list[str]]] = [(40, [])]
    if commercial and residential:
        rules.append((100, commercial + residential))
    if commercial:
        rules.append((70, commercial))
    if residential:
        rules.append((60, residential))
    if generator_oems:
        rules.append((50, [f"Generator OEM: {', '.join(generator_oems)}"]))
        if any(word in tier_lower for word in TOP_TIERS):
            rules.append((75, [f"Top program tier with a generator OEM: {tier}"]))
    resimercial, reasons = max(rules, key=lambda rule: rule[0])
    resimercial_evidence = "; ".join(reasons) or "No commercial or residential indicator"

    # Multi-OEM
    multi_oem = 0 if oem_count <= 0 else min(100, 25 * oem_count)
    if oem_count <= 0:
        multi_oem_evidence = "No OEM certification listed"
    else:
        plural = "OEM" if oem_count == 1 else "OEMs"
        multi_oem_evidence = f"Certified by {oem_count} {plural}: {', '.join(oems)}"

    # MEP+R
    trades: dict[str, str] = {}
    for category in categories:
        trade, reason = OEM_TRADE[category]
        trades.setdefault(trade, reason)
    for trade, pattern in TRADE_WORDS.items():
        if trade not in trades and (found := pattern.search(name)):
            trades[trade] = f"Trade in name: {found.group(1).lower()}"
    mepr = 50 if len(trades) <= 1 else 75 if len(trades) == 2 else 100
    mepr_evidence = "; ".join(trades.values()) or "No trade indicator"

    # O&M
    words = list(dict.fromkeys(found.group(0).lower() for found in OM_WORDS.finditer(name)))
    if len(words) >= 2:
        om, om_evidence = 100, f"O&M indicators in name: {', '.join(words)}"
    elif words:
        om, om_evidence = 75, f"O&M indicator in name: {words[0]}"
    elif any(word in tier_lower for word in ELITE_TIERS):
        om, om_evidence = 60, f"Elite program tier: {tier}"
    else:
        om, om_evidence = 25, "No O&M indicator"

    score = round(
        ICP_WEIGHTS["resimercial"] * resimercial + ICP_WEIGHTS["multi_oem"] * multi_oem
        + ICP_WEIGHTS["mepr"] * mepr + ICP_WEIGHTS["om"] * om,
        1,
    )
    return {
        "ICP_Score": f"{score:.1f}",
        "ICP_Tier": icp_tier(score),
        "Resimercial_Score": str(resimercial),
        "MultiOEM_Score": str(multi_oem),
        "MEPR_Score": str(mepr),
        "OM_Score": str(om),
        "Resimercial_Evidence": resimercial_evidence,
        "MultiOEM_Evidence": multi_oem_evidence,
        "MEPR_Evidence": mepr_evidence,
        "OM_Evidence": om_evidence,
    }


# --- generation -----------------------------------------------------------------------------

BAD_ROWS_PER_220 = 5
DUPLICATE_SHARE = 0.04  # rows that list an earlier dealer again
LOOKALIKE_SHARE = 0.025  # new dealers that get a look-alike twin (a distinct company)
TWIN_RELEASE = 0.3  # chance per row that a waiting twin is listed now, so pairs spread out
RELISTING = Weighted([("other locator", 55), ("same locator", 30), ("no state", 15)])


@dataclass
class Dealer:
    """One generated company, listed once or more."""

    base_name: str  # without legal suffix, in its own casing
    legal: str  # legal suffix as first listed, e.g. ", LLC"
    city: City
    phone: str | None  # ten digits
    domain: str | None  # its own website's domain
    page: tuple[str, str] | None  # (shared host, URL) of a platform page standing in for one
    email: str | None
    oem: Oem
    oems: list[str]
    shouted: bool  # the locator lists it in capitals
    row: int = 0  # 1-based data row of its first listing
    phone_form: str = ""  # how its first listing writes the number (a PHONE_FORMATS entry)


@dataclass
class Listing:
    """What one row says about a dealer; a relisting varies it."""

    name: str
    oem: Oem
    oems: list[str]
    phone: str | None
    phone_form: str
    website: str
    domain: str
    email: str
    state_known: bool = True
    city_known: bool = True
    shouted_city: bool = False


@dataclass
class GeneratedExport:
    """A generated export and the truth behind it.

    rows: the CSV cells by column. duplicate_of: for each row listing an earlier dealer
    again, its 1-based data row -> the data row of that dealer's first listing.
    bad_rows: data rows that are bad on purpose. look_alikes: pairs of data rows of
    distinct companies whose names differ by a digit or a letter or two (not duplicates).
    """

    rows: list[dict[str, str]]
    duplicate_of: dict[int, int]
    bad_rows: set[int]
    look_alikes: list[tuple[int, int]] = field(default_factory=list)


def slug_of(text: str, keep: str = "") -> str:
    return "".join(ch for ch in text.lower().replace("&", "and") if ch.isalnum() or ch in keep)


def camel_of(text: str) -> str:
    return "".join(word[:1].upper() + word[1:].lower() for word in re.findall(r"[A-Za-z0-9]+",
                                                                                text))


def name_key(name: str) -> str:
    """A name without casing, legal suffix or punctuation: equal for spellings of one name."""
    base = LEGAL_ENDING.sub("", name.strip())
    return " ".join(re.findall(r"[a-z0-9]+", base.lower().replace("&", " and ")))


class Generator:
    """Dealers and their CSV rows, every choice drawn from one seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_phones: set[str] = set()
        self.used_domains: set[str] = set()
        self.used_names: set[str] = set()  # name_key of every company, so no two read alike
        self.used_pages: set[str] = set()
        self.dealers: list[Dealer] = []  # first listings, which later rows may repeat
        self.waiting_twins: list[Dealer] = []
        self.twins: list[tuple[Dealer, Dealer]] = []

    # --- names --------------------------------------------------------------------------
    def leading_word(self, city: City) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.40:
            return rng.choice(SURNAMES)
        if kind < 0.44:
            return f"{rng.choice(SURNAMES)}'s"
        if kind < 0.48:
            return f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)}"
        if kind < 0.51:
            return f"{rng.choice(SURNAMES)} & Sons"
        if kind < 0.52:
            return f"{rng.choice(SURNAMES)} Brothers"
        if kind < 0.76:
            return rng.choice(PLACE_WORDS)
        if kind < 0.80:
            return city[0]  # named for its own town
        if kind < 0.87:
            letters = rng.sample(INITIAL_LETTERS, 2)
            return rng.choice(["{}{}", "{}&{}", "{}.{}.", "{} & {}"]).format(*letters)
        if kind < 0.91:
            return rng.choice(["A1", "A-1", "AAA", "1st Choice", "All Pro", "2 Brothers",
                               "3 Brothers", "4 Seasons", "Done Right", "A+"])
        if kind < 0.93:
            return f"{rng.choice(FIRST_NAMES)}'s"
        if kind < 0.932:
            return "24/7"
        return f"{rng.choice(SURNAMES)} {rng.choice(['Family', 'Bros.', 'Group'])}"

    def lookalike_words(self) -> tuple[str, str]:
        """Two leading words a digit or a letter or two apart ("BC" / "BEC")."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.4:
            first, second = rng.sample(range(10), 2)
            word = rng.choice([*NUMBERED_WORDS, "A", "A", "Route"])
            gap = "" if word == "A" else " "
            return f"{word}{gap}{first}", f"{word}{gap}{second}"
        if kind < 0.7:
            one, two, three = rng.sample(INITIAL_LETTERS, 3)
            if rng.random() < 0.5:
                return f"{one}{two}", f"{one}{three}{two}"
            return f"{one}&{two}", f"{one}&{three}"
        pair = rng.choice(LOOKALIKE_SURNAMES)
        return pair if rng.random() < 0.5 else (pair[1], pair[0])

    def base_name(self, oem: Oem, city: City, leading: str | None = None) -> str | None:
        """A name not used yet (None when ``leading`` is given and its name is taken).

        Only the leading word is drawn again on a clash: drawing the whole name again
        would favour the rarer trade words and endings, since short names clash more.
        """
        rng = self.rng
        cores = MITSUBISHI_CORES if oem is MITSUBISHI else TRADE_CORES[oem.category]
        words = [cores.pick(rng)]
        if rng.random() < OM_ENDING_SHARE[oem.category]:
            ending = OM_ENDINGS.pick(rng)
            if oem is MITSUBISHI and "Home" in ending:
                ending = "Services"
            words.append(ending)
        rest = " ".join(word for word in words if word)
        for attempt in range(30):
            first = leading or self.leading_word(city)
            # "Henderson" or "Pinnacle" alone is a name; "A5" or "BC" alone is not, and a
            # look-alike pair needs the trade words that make the two names read alike.
            bare = len(first) >= 6 and leading is None
            base = f"{first} {rest or ('' if bare else cores.values[0])}".strip()
            if attempt >= 20:
                base = f"{base} of {city[0]}"
            if name_key(base) not in self.used_names:
                self.used_names.add(name_key(base))
                return base
            if leading:
                return None
        return None

    # --- contact details ----------------------------------------------------------------
    def phone_for(self, state: str, area: int | None = None) -> str | None:
        """A number unused so far: 555-01xx, the exchange reserved for fiction.

        The state's real area codes come first; once their 100 numbers each are taken
        (large files), any well-formed area code does. With ``area`` given, only that
        area code, and None when all its numbers are taken.
        """
        rng = self.rng
        if area is not None:
            for _ in range(30):
                digits = f"{area}5550{rng.randint(100, 199)}"
                if digits not in self.used_phones:
                    self.used_phones.add(digits)
                    return digits
            return None
        same_state = AREA_CODES_BY_STATE[state]
        for attempt in range(60):
            code = rng.choice(same_state) if attempt < 20 else rng.randint(201, 989)
            digits = f"{code}5550{rng.randint(100, 199)}"
            if digits[1:3] != "11" and digits not in self.used_phones:
                break
        self.used_phones.add(digits)
        return digits

    def domain_for(self, base: str) -> str:
        rng = self.rng
        slug = slug_of(base)[:30]
        if rng.random() < 0.15:
            slug = slug_of(base.split(" ")[0])[:20] + rng.choice(["co", "inc", "llc", "pros",
                                                                   "usa", "tx", "services"])
        tld = rng.choices([".com", ".net", ".us", ".biz", ".co"], [80, 8, 5, 3, 4])[0]
        domain, n = slug + tld, 2
        while domain in self.used_domains:
            domain, n = f"{slug}{n}{tld}", n + 1
        self.used_domains.add(domain)
        return domain

    def platform_page(self, base: str, oem: Oem) -> tuple[str, str]:
        """(shared host, URL) of the dealer's page on a booking or listing platform."""
        rng = self.rng
        kind = "mitsubishi" if oem is MITSUBISHI and rng.random() < 0.95 else PLATFORMS.pick(rng)
        slug, camel = slug_of(base.replace(" ", "-"), keep="-"), camel_of(base)
        for n in range(1, 50):
            suffix = "" if n == 1 else f"-{n}"
            if kind == "mitsubishi":
                page = ("mitsubishicomfort.com",
                        f"https://www.mitsubishicomfort.com/contractor/{slug}{suffix}")
            elif kind == "housecallpro":
                page = ("book.housecallpro.com",
                        f"https://book.housecallpro.com/book/{camel}/{rng.getrandbits(128):032x}")
            elif kind == "facebook":
                page = ("facebook.com", f"https://www.facebook.com/{camel}{suffix.lstrip('-')}")
            elif kind == "sites.google":
                page = ("sites.google.com", f"https://sites.google.com/view/{slug}{suffix}")
            elif kind == "business.site":
                host = f"{slug}{suffix}.business.site"
                page = (host, f"https://{host}/")
            else:
                page = ("homeadvisor.com", f"https://www.homeadvisor.com/rated.{camel}."
                        f"{rng.randint(10000, 99999999)}.html")
            if page[1] not in self.used_pages:
                break
        self.used_pages.add(page[1])
        return page

    # --- one dealer ---------------------------------------------------------------------
    def new_dealer(self, oem: Oem | None = None, city: City | None = None,
                   leading: str | None = None, base: str | None = None) -> Dealer | None:
        """A company never listed before; None when the name it drew is taken."""
        rng = self.rng
        oem = oem or PICK_OEM.pick(rng)
        city = city or rng.choice(CITIES)
        if base is None:
            base = self.base_name(oem, city, leading)
        elif name_key(base) not in self.used_names:
            self.used_names.add(name_key(base))
        else:
            base = None
        if base is None:
            return None
        site = rng.random()
        own_site, page_share = (0.64, 0.19) if oem is MITSUBISHI else (0.715, 0.036)
        domain = self.domain_for(base) if site < own_site else None
        page = self.platform_page(base, oem) if own_site <= site < own_site + page_share \
            else None
        phone = self.phone_for(city[1]) if rng.random() < 0.97 or domain is None else None
        email = None
        if rng.random() < 0.035:
            if domain and rng.random() < 0.7:
                email = f"{rng.choice(['info', 'sales', 'office', 'service', 'contact'])}@{domain}"
            else:
                email = f"{slug_of(base)[:18]}{rng.randint(1, 99)}@{rng.choice(FREE_MAIL)}"
        oems = [oem.name]
        extra = rng.random()
        if extra < 0.019:
            oems.append(self.other_oem(oem).name)
            if extra < 0.0007:
                third = self.other_oem(oem)
                if third.name not in oems:
                    oems.append(third.name)
        shouted = rng.random() < (0.30 if oem.name == "Briggs & Stratton" else 0.125)
        return Dealer(base, LEGAL.pick(rng), city, phone, domain, page, email, oem, oems,
                      shouted, phone_form=PHONE_FORMATS.pick(rng))

    def other_oem(self, oem: Oem) -> Oem:
        """Another OEM a dealer of ``oem`` also carries: most often one of the same kind."""
        rng = self.rng
        if oem is MITSUBISHI and rng.random() < 0.5:
            # Commercial HVAC contractors often install standby generators as well.
            return GENERATOR_OEMS.pick(rng)
        for _ in range(20):
            other = PICK_OEM.pick(rng)
            if other is not oem and (other.category == oem.category or rng.random() < 0.6):
                return other
        return next(o for o in OEMS if o is not oem)

    def twin_of(self, dealer: Dealer, first_word: str, second_word: str) -> Dealer | None:
        """A distinct company in the same state whose name differs by a digit or letters."""
        rng = self.rng
        # Same trade words as the first one: only the leading word differs.
        base = f"{second_word} {dealer.base_name[len(first_word):].strip()}".strip()
        if base == dealer.base_name:
            return None
        same_kind = [o for o in OEMS if o.category == dealer.oem.category]
        oem = dealer.oem if rng.random() < 0.6 else rng.choice(same_kind)
        city = rng.choice(CITIES_BY_STATE[dealer.city[1]])
        return self.new_dealer(oem, city, base=base)

    def first_listing(self, dealer: Dealer) -> Listing:
        rng = self.rng
        name = dealer.base_name + dealer.legal
        if dealer.shouted:
            name = name.upper()
        elif rng.random() < 0.004:
            name = name.lower()
        elif rng.random() < 0.005:
            name = name.replace(" ", "  ", 1) + " "
        website, domain = self.site_cells(dealer)
        return Listing(name, dealer.oem, list(dealer.oems), dealer.phone, dealer.phone_form,
                       website, domain, dealer.email or "",
                       shouted_city=rng.random() < (0.75 if dealer.shouted else 0.03))

    def site_cells(self, dealer: Dealer) -> tuple[str, str]:
        """(website, domain) cells: one of many spellings of the same site."""
        rng = self.rng
        if dealer.domain:
            website = self.website_text(dealer.domain)
            domain = "" if rng.random() < 0.1 else dealer.domain
            if rng.random() < 0.02:
                website = ""  # the domain came from a listing, not a website field
            return website, domain
        if dealer.page:
            host, url = dealer.page
            if rng.random() < 0.08:
                url += "?utm_source=locator" if "?" not in url else ""
            return url, host if rng.random() < 0.95 else ""
        return "", ""

    def website_text(self, domain: str) -> str:
        return self.rng.choices(
            [f"http://www.{domain}", f"https://{domain}/", f"https://www.{domain}/",
             f"www.{domain}", f"{domain}", f"http://{domain}/home",
             f"https://www.{domain}/?utm_source=gmb&utm_medium=organic",
             f"https://{domain}", f"http://{domain}"],
            [28, 18, 15, 10, 8, 4, 9, 5, 3],
        )[0]

    def relisting(self, dealer: Dealer) -> Listing:
        """The same dealer listed again: another locator, the same one, or a stray copy."""
        rng = self.rng
        kind = RELISTING.pick(rng)
        if kind == "no state" and dealer.phone:
            # Found again without a state, with the owner's other line in the same area
            # code: only the name and the area code say it is the same company.
            phone = self.phone_for(dealer.city[1], area=int(dealer.phone[:3]))
            if phone is not None:
                name = dealer.base_name + dealer.legal
                return Listing(name.upper() if dealer.shouted else name, dealer.oem,
                               list(dealer.oems), phone, PHONE_FORMATS.pick(rng), "", "", "",
                               state_known=False, city_known=rng.random() < 0.6)
        oem, oems = dealer.oem, list(dealer.oems)
        if kind != "same locator":
            others = [OEM_BY_NAME[name] for name in dealer.oems if name != dealer.oem.name]
            oem = others[0] if others else self.other_oem(dealer.oem)
            oems = [oem.name] if rng.random() < 0.9 or oem.name in oems else [*oems, oem.name]
        name = self.name_variant(dealer, same_locator=kind == "same locator")
        form = dealer.phone_form
        while form == dealer.phone_form:
            form = PHONE_FORMATS.pick(rng)
        website, domain = self.site_cells(dealer)
        if rng.random() < 0.15:
            website = ""
            if rng.random() < 0.5:
                domain = ""
        email = dealer.email if dealer.email and rng.random() < 0.5 else ""
        if not (dealer.phone or website or domain or email):
            website = dealer.page[1] if dealer.page else (dealer.domain or "")
        return Listing(name, oem, oems, dealer.phone, form, website, domain, email,
                       shouted_city=rng.random() < 0.15)

    def name_variant(self, dealer: Dealer, *, same_locator: bool) -> str:
        """Another spelling: legal suffix dropped or changed, casing flipped, '&' or 'and'."""
        rng = self.rng
        base, legal, shouted = dealer.base_name, dealer.legal, dealer.shouted
        if same_locator and rng.random() < 0.6:
            name = base + legal
            return name.upper() if shouted else name
        changes = rng.sample(["legal", "case", "and", "legal"], rng.choice([1, 1, 2]))
        for change in changes:
            if change == "legal":
                legal = "" if legal and rng.random() < 0.6 else rng.choice(LEGAL_FORMS)
            elif change == "case":
                shouted = not shouted
            elif " & " in base:
                base = base.replace(" & ", " and ")
        if dealer.phone and rng.random() < 0.04:
            base = self.typo(base)
        name = base + legal
        return name.upper() if shouted else name

    def typo(self, name: str) -> str:
        words = name.split(" ")
        long_words = [i for i, word in enumerate(words) if len(word) > 5]
        if not long_words:
            return name
        i = self.rng.choice(long_words)
        cut = self.rng.randint(2, len(words[i]) - 2)
        words[i] = words[i][:cut] + words[i][cut + 1 :]
        return " ".join(words)

    # --- cells ----------------------------------------------------------------------------
    def phone_text(self, digits: str | None, form: str) -> str:
        if digits is None:
            return ""
        ext = self.rng.randint(10, 250) if "{ext}" in form else 0
        return form.format(a=digits[:3], b=digits[3:6], c=digits[6:], ext=ext)

    def flags(self, oem: Oem, oems: Sequence[str], name: str) -> dict[str, str]:
        """Capability flags: all empty when the locator gave none (unknown, not False)."""
        rng = self.rng
        if rng.random() < oem.flags_unknown:
            return dict.fromkeys(FLAG_COLUMNS, "")
        categories = {OEM_CATEGORY[o] for o in oems}
        residential, commercial = oem.flags.pick(rng)
        lower = name.lower()
        sun = bool(categories & {"solar", "battery"})
        values = {
            "has_hvac": rng.random() < (0.12 if "hvac" in categories else 0.01),
            "has_solar": rng.random() < (0.2 if sun else 0.003),
            "has_inverters": rng.random() < (0.15 if "solar" in categories else 0.002),
            "has_generator": False,  # the scraper never sets it, whatever the OEM
            "has_battery": rng.random() < (0.3 if "battery" in categories else 0.005),
            "has_electrical": rng.random() < (0.1 if "hvac" not in categories else 0.02),
            "has_plumbing": rng.random() < (0.4 if "plumb" in lower else 0.02),
            "has_roofing": rng.random() < (0.5 if "roof" in lower else 0.01),
            "is_commercial": commercial,
            "is_residential": residential,
            "is_gc": rng.random() < 0.02,
        }
        # A partly scraped card leaves single cells empty.
        return {key: "" if rng.random() < 0.01 else str(value) for key, value in values.items()}

    def address(self, dealer: Dealer, listing: Listing) -> dict[str, str]:
        rng = self.rng
        city_name, state, zip_base, _areas, county, lat, lon = dealer.city
        zip_code = f"{zip_base + rng.randint(0, 40):05d}"
        zip_cell = zip_code
        junk = rng.random()
        if zip_code.startswith("0") and rng.random() < 0.3:
            zip_cell = zip_code.lstrip("0")  # a spreadsheet ate the leading zero
        elif rng.random() < 0.06:
            zip_cell = f"{zip_code}-{rng.randint(1000, 9999)}"
        elif rng.random() < 0.03:
            zip_cell = ""
        street = f"{rng.randint(100, 19999)} {rng.choice(STREETS)}"
        if rng.random() < 0.25:
            unit = rng.choice(UNITS)
            street = f"{street}, {unit}" if rng.random() < 0.6 else f"{street} {unit}"
        if rng.random() < 0.01:
            street = street.replace(", ", "\n") if ", " in street else f"{street}\nRear entrance"
        city_cell = city_name.upper() if listing.shouted_city else city_name
        state_cell = state
        if rng.random() < 0.03:
            state_cell = STATE_NAMES.get(state, state)
        elif rng.random() < 0.02:
            state_cell = state.lower()
        address_full = f"{street}, {city_name}, {state} {zip_code}, USA".replace("\n", " ")
        if junk < 0.015:
            # The locator card's distance and star widget scraped as the street.
            street = f"{rng.randint(1, 60)} mi0.0(0)0.0 out of 5 stars"
        elif junk < 0.03:
            address_full = rng.choice([f"on, {state}", f", , {state} {zip_code}",
                                       f"{city_name}, {state}", f", {city_name}, {state}, USA"])
        elif junk < 0.04:
            city_cell = ""
        if rng.random() < 0.08:
            street = ""  # only the one-line address was scraped
        if not listing.state_known:
            state_cell, zip_cell = "", ""
            address_full = street.replace("\n", " ")
            if not listing.city_known:
                city_cell = ""
            elif street:
                address_full = f"{address_full}, {city_cell}"
        return {
            "street": street, "city": city_cell, "state": state_cell, "zip": zip_cell,
            "county": county, "address_full": address_full,
            "latitude": f"{lat + rng.uniform(-0.25, 0.25):.6f}",
            "longitude": f"{lon + rng.uniform(-0.25, 0.25):.6f}",
            "search_zip": f"{zip_base:05d}",
        }

    def reviews(self) -> tuple[str, str, str, str]:
        """(rating, review_count, google_rating, google_review_count): mostly none."""
        rng = self.rng
        cells = []
        rated = rng.random() < 0.2
        rating = 0.0
        for google in (False, True):
            if google:
                rated = rng.random() < (0.85 if rated else 0.04)
            if not rated:
                cells += ["0.0" if google or rng.random() < 0.5 else "0", "0"]
                continue
            if google and rating and rng.random() < 0.6:
                value = rating if rating <= 5 else round(rating / 2, 1)
            elif rng.random() < 0.04 and not google:
                value = round(rng.uniform(6.0, 9.9), 1)  # a source that rates out of 10
            else:
                value = round(min(5.0, max(3.0, rng.gauss(4.6, 0.45))), 1)
            rating = rating or value
            count = min(600, int(rng.paretovariate(0.9)))
            cells += [f"{value:.1f}", str(count)]
        return cells[0], cells[1], cells[2], cells[3]

    def row(self, dealer: Dealer, listing: Listing, index: int) -> dict[str, str]:
        rng = self.rng
        oem = listing.oem
        categories = sorted({OEM_CATEGORY[o] for o in listing.oems})
        address = self.address(dealer, listing)
        rating, review_count, google_rating, google_review_count = self.reviews()
        services = sorted({s for c in categories for s in SERVICES[c]})
        scraped = SCRAPED_FROM + timedelta(minutes=7 * index + rng.randint(0, 6))
        slug = camel_of(dealer.base_name)
        city_name = dealer.city[0]
        description = ""
        if rng.random() < 0.45:
            description = rng.choice([
                f"{dealer.base_name} serves {city_name} homes and businesses: "
                f"{', '.join(services[:2]).lower()}.",
                f"Family owned and operated, serving {city_name} and surrounding areas "
                f"since {rng.randint(1962, 2021)}.",
                f"Authorized {oem.name} dealer. {services[0]} and {services[-1].lower()}.",
            ])
        return {
            "dealer_id": f"{oem.code}-{rng.randint(1000, 999999):06d}",
            "name": listing.name,
            "phone": self.phone_text(listing.phone, listing.phone_form),
            "domain": listing.domain,
            "website": listing.website,
            "email": listing.email,
            "street": address["street"],
            "city": address["city"],
            "state": address["state"],
            "zip": address["zip"],
            "county": address["county"],
            "country": rng.choice(["US", "US", "US", "USA", "United States"]),
            "address_full": address["address_full"],
            "latitude": address["latitude"],
            "longitude": address["longitude"],
            "place_id": "ChIJ" + "".join(rng.choices(string.ascii_letters + string.digits + "_-",
                                                     k=23)),
            "rating": rating,
            "review_count": review_count,
            "google_rating": google_rating,
            "google_review_count": google_review_count,
            "tier": oem.tiers.pick(rng),
            "oem_source": oem.name,
            "OEMs_Certified": ", ".join(listing.oems),
            "OEM_Count": str(len(listing.oems)),
            "certifications": ", ".join(rng.sample(CERTIFICATIONS, rng.choice([0, 0, 0, 0, 1,
                                                                                1, 2]))),
            **self.flags(oem, listing.oems, listing.name),
            **dict.fromkeys(ICP_COLUMNS, ""),
            "employee_count": str(rng.choice([3, 5, 8, 12, 25, 40, 75, 150]))
            if rng.random() < 0.05 else "",
            "estimated_revenue": rng.choice(REVENUE) if rng.random() < 0.04 else "",
            "linkedin_url": f"https://www.linkedin.com/company/{slug.lower()}"
            if rng.random() < 0.03 else "",
            "facebook_url": f"https://www.facebook.com/{slug}" if rng.random() < 0.3 else "",
            "instagram_url": f"https://www.instagram.com/{slug.lower()}"
            if rng.random() < 0.1 else "",
            "yelp_url": f"https://www.yelp.com/biz/{slug_of(dealer.base_name, '-')}-"
            f"{slug_of(city_name)}" if rng.random() < 0.15 else "",
            "hours": rng.choice(HOURS),
            "business_status": rng.choices(["OPERATIONAL", "CLOSED_TEMPORARILY", ""],
                                           [88, 2, 10])[0],
            "google_category": CATEGORY[oem.category],
            "years_in_business": str(rng.randint(1, 60)) if rng.random() < 0.3 else "",
            "license_number": f"{dealer.city[1]}-{rng.randint(10000, 999999)}"
            if rng.random() < 0.2 else "",
            "services": "; ".join(services),
            "service_area": f"{city_name} metro, {rng.choice([25, 50, 75, 100])} mi"
            if rng.random() < 0.6 else "",
            "description": description,
            "search_zip": address["search_zip"],
            "search_radius_miles": rng.choice(["25", "50", "100"]),
            "distance_miles": f"{rng.uniform(0.2, 60):.1f}",
            "locator_rank": str(rng.randint(1, 40)),
            "source_url": f"{oem.locator}?zip={address['search_zip']}",
            "scraped_at": scraped.isoformat(timespec="seconds"),
            "last_verified": (scraped - timedelta(days=rng.randint(0, 400))).date().isoformat(),
            "data_quality_score": f"{rng.uniform(0.3, 1.0):.2f}",
            "notes": rng.choice(["", "", "", "", "", "", "Call before visiting",
                                 "Listed twice on locator", "Owner: ask for Dave"]),
        }

    def bad_row(self, kind: str, index: int) -> dict[str, str]:
        dealer = None
        while dealer is None:
            dealer = self.new_dealer()
        values = self.row(dealer, self.first_listing(dealer), index)
        if kind == "no name":
            values["name"] = ""
        else:
            for key in ("phone", "domain", "website", "email"):
                values[key] = ""
            if kind == "bad email only":
                values["email"] = self.rng.choice(BAD_EMAILS).format(
                    domain="example-dealer.com", domain_no_tld="example-dealer"
                )
        return values

    def export(self, count: int) -> GeneratedExport:
        rng = self.rng
        bad_kinds = ["no name", "no contact", "bad email only"]
        bad_count = min(count, max(3, round(count * BAD_ROWS_PER_220 / 220)))
        bad_at = dict(zip(rng.sample(range(count), bad_count),
                          (bad_kinds * bad_count)[:bad_count], strict=True))
        rows: list[dict[str, str]] = []
        duplicate_of: dict[int, int] = {}
        for index in range(count):
            number = index + 1
            if index in bad_at:
                rows.append(self.bad_row(bad_at[index], index))
                continue
            if self.dealers and rng.random() < DUPLICATE_SHARE:
                original = rng.choice(self.dealers)
                rows.append(self.row(original, self.relisting(original), index))
                duplicate_of[number] = original.row
                continue
            dealer = self.next_dealer()
            dealer.row = number
            self.dealers.append(dealer)
            rows.append(self.row(dealer, self.first_listing(dealer), index))
        for values in rows:
            values.update(upstream_icp(values))
        look_alikes = [(a.row, b.row) for a, b in self.twins if a.row and b.row]
        return GeneratedExport(rows, duplicate_of, {i + 1 for i in bad_at}, look_alikes)

    def next_dealer(self) -> Dealer:
        """A new company: a waiting look-alike twin, or a fresh one (maybe with a twin)."""
        rng = self.rng
        if self.waiting_twins and rng.random() < TWIN_RELEASE:
            return self.waiting_twins.pop(0)
        while True:
            if rng.random() < LOOKALIKE_SHARE:
                first_word, second_word = self.lookalike_words()
                dealer = self.new_dealer(leading=first_word)
                if dealer is None:
                    continue
                twin = self.twin_of(dealer, first_word, second_word)
                if twin is not None:
                    self.waiting_twins.append(twin)
                    self.twins.append((dealer, twin))
                return dealer
            dealer = self.new_dealer()
            if dealer is not None:
                return dealer


def generate(rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> GeneratedExport:
    """A dealer export of ``rows`` data rows; the same arguments give the same rows."""
    return Generator(seed).export(rows)


def strip_icp(rows: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The rows without the upstream ICP columns (scores, tier and evidence)."""
    dropped = set(ICP_COLUMNS)
    return [{key: value for key, value in row.items() if key not in dropped} for row in rows]


def write_csv(path: Path, rows: Sequence[Mapping[str, str]]) -> None:
    """Write the rows with the columns they have (all 69 unless stripped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fieldnames = list(rows[0]) if rows else COLUMNS
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="data rows to write")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--without-icp", action="store_true",
                        help="leave out the upstream ICP score, tier and evidence columns")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    rows = generate(args.rows, args.seed).rows
    if args.without_icp:
        rows = strip_icp(rows)
    write_csv(args.out, rows)
    print(f"wrote {args.rows} rows x {len(rows[0])} columns to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
