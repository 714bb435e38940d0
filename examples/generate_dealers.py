"""Write a dealer-scraper export (69 columns) as messy as the real one, from a fixed seed.

    python examples/generate_dealers.py                      # examples/dealers.csv, 220 rows
    python examples/generate_dealers.py --rows 8000 --out /tmp/dealers-8k.csv

The same seed and row count always give the same bytes. What makes it realistic:
about 98% of rows lack an email and a quarter lack a website, unknown booleans are
empty strings, names and addresses carry quoted commas (and a few quoted newlines),
phone formats are mixed, dealers listed by two OEM locators reappear under a slightly
different name with the same phone or domain, and a handful of rows are bad on purpose
(no name, no way to reach the company, a broken email as the only contact).
Phone numbers use the 555-01xx range, which is reserved for fiction.
"""

from __future__ import annotations

import argparse
import csv
import random
import string
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "dealers.csv"
DEFAULT_ROWS = 220
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
STATE_NAMES = {
    "TX": "Texas", "FL": "Florida", "CA": "California", "NY": "New York", "PA": "Pennsylvania",
    "MA": "Massachusetts", "NC": "North Carolina", "OH": "Ohio", "GA": "Georgia",
}

# OEM -> (category, locator URL, dealer tiers best first)
OEMS = {
    "Generac": ("generator", "https://www.generac.com/dealer-locator/",
                ("Elite Plus", "Elite", "Premier", "Select", "Authorized")),
    "Kohler": ("generator", "https://www.kohlerhomeenergy.rehlko.com/find-a-dealer",
               ("Platinum", "Gold", "Authorized")),
    "Cummins": ("generator", "https://www.cummins.com/na/generators/home-standby/find-a-dealer",
                ("Premier", "Authorized")),
    "Briggs & Stratton": ("generator", "https://www.briggsandstratton.com/na/en_us/dealer-locator.html",
                          ("Elite", "Authorized")),
    "Tesla Powerwall": ("battery", "https://www.tesla.com/support/certified-installers",
                        ("Premier", "Certified")),
    "Enphase": ("solar", "https://enphase.com/installer-locator",
                ("Platinum", "Gold", "Silver", "Authorized")),
    "SolarEdge": ("solar", "https://www.solaredge.com/us/find-an-installer",
                  ("Elite", "Select", "Authorized")),
    "LG": ("battery", "https://www.lg.com/us/business/find-a-dealer", ("Pro", "Authorized")),
    "Carrier": ("hvac", "https://www.carrier.com/residential/en/us/find-a-dealer/",
                ("Factory Authorized", "Authorized")),
    "Trane": ("hvac", "https://www.trane.com/residential/en/dealer-locator/",
              ("Comfort Specialist", "Authorized")),
    "Lennox": ("hvac", "https://www.lennox.com/locate", ("Premier", "Authorized")),
}
OEM_WEIGHTS = [30, 10, 7, 6, 8, 9, 7, 3, 8, 7, 5]

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
]
PLACE_WORDS = [
    "Lone Star", "Sunbelt", "Coastal", "Mountain View", "Blue Ridge", "Prairie", "Gulf Coast",
    "Desert", "Evergreen", "Capital City", "Bayou", "Great Lakes", "Heartland", "Tri-County",
    "Valley", "Summit", "Pinnacle", "Keystone", "Liberty", "Patriot", "Frontier", "Granite",
    "Harbor", "Red River", "Twin Oaks", "Pioneer", "Metro", "All Seasons", "Allied",
    "Precision", "Reliable", "Premier", "Superior", "Advanced", "American", "Southern",
    "Northern", "Bright Future", "Green Energy", "True North",
]
TRADE_WORDS = {
    "generator": ["Generator", "Generators", "Power Systems", "Standby Power", "Backup Power",
                  "Electric", "Electrical Services", "Power Solutions"],
    "battery": ["Energy Storage", "Power", "Energy", "Electric", "Home Energy"],
    "solar": ["Solar", "Solar & Roofing", "Solar Energy", "Sun Power", "Solar Solutions",
              "Renewables"],
    "hvac": ["Heating & Air", "Heating and Cooling", "HVAC", "Air Conditioning", "Mechanical",
             "Comfort Systems", "Plumbing, Heating & Air"],
}
LEGAL = ["", "", "", " LLC", ", LLC", " Inc", ", Inc.", " Inc.", " Co.", " Corp", " & Sons",
         " Company", ", L.L.C.", " PLLC"]
STREETS = ["Main St", "Oak Ave", "Industrial Blvd", "Commerce Dr", "Elm St", "Park Ave",
           "Highway 290 W", "FM 1960 Rd", "Route 9", "N Lamar Blvd", "Technology Pkwy",
           "Airport Rd", "Market St", "Cedar Ln", "Business Park Dr", "S Congress Ave",
           "W 5th St", "Old Mill Rd", "Enterprise Way", "Sunset Blvd"]
UNITS = ["Ste 200", "Suite B", "Unit 4", "#105", "Bldg 2", "Suite 1400"]
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
         "Mon-Sat 8AM-6PM", ""]
REVENUE = ["$1M-$5M", "$500K-$1M", "$5M-$10M", "$10M-$25M", "< $500K"]
BAD_EMAILS = ["bob@", "sales at {domain}", "info@{domain_no_tld}", "office@@{domain}"]
SCRAPED_FROM = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


@dataclass
class Dealer:
    """One generated dealer, before it is written (and maybe repeated by another locator)."""

    name: str
    base_name: str
    city: City
    phone_digits: str | None
    domain: str | None
    oem_source: str
    oems: list[str]


class Generator:
    """Dealers and their CSV rows, every choice drawn from one seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_phones: set[str] = set()
        self.used_domains: set[str] = set()
        self.used_names: set[str] = set()
        self.dealers: list[Dealer] = []

    # --- identity -------------------------------------------------------------------
    def company_name(self, category: str) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(50):
            first = rng.choice(SURNAMES) if rng.random() < 0.55 else rng.choice(PLACE_WORDS)
            if rng.random() < 0.12:
                first = f"{first} & {rng.choice(SURNAMES)}"
            base = f"{first} {rng.choice(TRADE_WORDS[category])}"
            if attempt > 10:
                base = f"{base} of {rng.choice(CITIES)[0]}"
            if base.lower() not in self.used_names:
                self.used_names.add(base.lower())
                return base + rng.choice(LEGAL), base
        return base + rng.choice(LEGAL), base

    def domain_for(self, base: str) -> str:
        slug = "".join(ch for ch in base.lower().replace("&", "and") if ch.isalnum())[:30]
        tld = self.rng.choices([".com", ".net", ".us", ".biz", ".co"], [80, 8, 5, 3, 4])[0]
        domain, n = slug + tld, 2
        while domain in self.used_domains:
            domain, n = f"{slug}{n}{tld}", n + 1
        self.used_domains.add(domain)
        return domain

    def phone_for(self, city: City) -> str:
        """A number unused so far: 555-01xx, the exchange reserved for fiction.

        The state's real area codes come first; once their 100 numbers each are taken
        (large files), any well-formed area code does.
        """
        rng = self.rng
        same_state = [code for c in CITIES if c[1] == city[1] for code in c[3]]
        for attempt in range(60):
            area = rng.choice(same_state) if attempt < 20 else rng.randint(201, 989)
            digits = f"{area}5550{rng.randint(100, 199)}"
            if digits[1:3] != "11" and digits not in self.used_phones:
                break
        self.used_phones.add(digits)
        return digits

    # --- formatting -----------------------------------------------------------------
    def phone_text(self, digits: str | None) -> str:
        if digits is None:
            return ""
        a, b, c = digits[:3], digits[3:6], digits[6:]
        form = self.rng.choices(range(7), [40, 20, 12, 10, 8, 6, 4])[0]
        return [
            f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", digits,
            f"1-{a}-{b}-{c}", f"({a}) {b}-{c} x{self.rng.randint(10, 250)}",
        ][form]

    def website_text(self, domain: str) -> str:
        return self.rng.choices(
            [f"http://www.{domain}", f"https://{domain}/", f"https://www.{domain}/",
             f"www.{domain}", f"{domain}", f"http://{domain}/home",
             f"https://www.{domain}/?utm_source=gmb&utm_medium=organic"],
            [30, 20, 15, 12, 8, 5, 10],
        )[0]

    def flag(self, implied: bool, chance: float) -> bool | None:
        """A capability: True when the OEM implies it, else a draw; None when unknown."""
        if self.rng.random() < 0.15:
            return None  # the scraper could not tell: the export leaves the cell empty
        return implied or self.rng.random() < chance

    # --- one dealer -----------------------------------------------------------------
    def new_dealer(self) -> Dealer:
        rng = self.rng
        oem = rng.choices(list(OEMS), OEM_WEIGHTS)[0]
        category = OEMS[oem][0]
        name, base = self.company_name(category)
        city = rng.choice(CITIES)
        has_site = rng.random() < 0.75
        has_phone = rng.random() < 0.97
        domain = self.domain_for(base) if has_site else None
        phone = self.phone_for(city) if has_phone or not has_site else None
        others = [o for o in OEMS if o != oem]
        extra = rng.choices([0, 1, 2, 3], [50, 30, 15, 5])[0]
        oems = [oem, *rng.sample(others, extra)]
        return Dealer(name, base, city, phone, domain, oem, oems)

    def relisted(self, original: Dealer) -> Dealer:
        """The same dealer as another OEM locator lists it: another name spelling."""
        rng = self.rng
        oem = rng.choice([o for o in original.oems if o != original.oem_source] or list(OEMS))
        variants = [original.base_name + suffix for suffix in (" LLC", ", Inc.", " Inc", "")]
        variants += [original.base_name.upper(), original.base_name.replace(" & ", " and ")]
        name = rng.choice([v for v in variants if v != original.name] or variants)
        oems = sorted(set(original.oems) | {oem}, key=list(OEMS).index)
        if rng.random() < 0.2:
            # Listed with another number (the owner's cell) and no site: only the name,
            # misspelt by the locator, tells it is the same dealer.
            phone = self.phone_for(original.city)
            return Dealer(self.typo(original.base_name), original.base_name, original.city,
                          phone, None, oem, oems)
        keep_phone = rng.random() < 0.7 or original.domain is None
        return Dealer(
            name, original.base_name, original.city,
            original.phone_digits if keep_phone else None,
            original.domain if (not keep_phone or rng.random() < 0.5) else None,
            oem, oems,
        )

    def typo(self, name: str) -> str:
        words = name.split(" ")
        long_words = [i for i, word in enumerate(words) if len(word) > 5]
        if not long_words:
            return name + "s"
        i = self.rng.choice(long_words)
        cut = self.rng.randint(2, len(words[i]) - 2)
        words[i] = words[i][:cut] + words[i][cut + 1 :]
        return " ".join(words)

    def row(self, dealer: Dealer, index: int) -> dict[str, str]:
        rng = self.rng
        city_name, state, zip_base, _areas, county, lat, lon = dealer.city
        category = OEMS[dealer.oem_source][0]
        categories = {OEMS[o][0] for o in dealer.oems}
        zip_code = f"{zip_base + rng.randint(0, 40):05d}"
        zip_cell = zip_code
        if zip_code.startswith("0") and rng.random() < 0.3:
            zip_cell = zip_code.lstrip("0")  # a spreadsheet ate the leading zero
        elif rng.random() < 0.08:
            zip_cell = f"{zip_code}-{rng.randint(1000, 9999)}"
        street = f"{rng.randint(100, 19999)} {rng.choice(STREETS)}"
        if rng.random() < 0.25:
            unit = rng.choice(UNITS)
            street = f"{street}, {unit}" if rng.random() < 0.6 else f"{street} {unit}"
        if rng.random() < 0.01:
            street = street.replace(", ", "\n") if ", " in street else f"{street}\nRear entrance"
        state_cell = STATE_NAMES.get(state, state) if rng.random() < 0.05 else state
        address_full = f"{street}, {city_name}, {state} {zip_code}, USA".replace("\n", " ")
        if rng.random() < 0.1:
            street = ""  # only the one-line address was scraped

        domain = dealer.domain
        website = self.website_text(domain) if domain else ""
        domain_cell = domain or ""
        if domain and rng.random() < 0.1:
            domain_cell = ""
        elif domain and rng.random() < 0.05:
            website = ""  # the domain came from an email or a listing, not a website field
        email = ""
        if domain and rng.random() < 0.025:
            email = rng.choice(["info", "sales", "office", "service"]) + "@" + domain
            if rng.random() < 0.3:
                email = email.upper()
        if not domain and rng.random() < 0.05:
            website = f"https://www.facebook.com/{dealer.base_name.replace(' ', '')}"

        tiers = OEMS[dealer.oem_source][2]
        tier = rng.choice(tiers) if rng.random() < 0.85 else ""
        rating = round(rng.uniform(3.0, 5.0), 1) if rng.random() < 0.9 else None
        reviews = int(rng.paretovariate(1.3) * 8) if rating is not None else None
        review_cell = "" if reviews is None else (
            f"{reviews:,}" if reviews >= 1000 and rng.random() < 0.5 else str(reviews)
        )

        electrical = bool(categories & {"generator", "battery", "solar"})
        caps = {
            "has_hvac": self.flag("hvac" in categories, 0.2),
            "has_solar": self.flag("solar" in categories, 0.1),
            "has_inverters": self.flag("solar" in categories, 0.15),
            "has_generator": self.flag("generator" in categories, 0.15),
            "has_battery": self.flag("battery" in categories, 0.25),
            "has_electrical": self.flag(electrical, 0.3),
            "has_plumbing": self.flag(False, 0.15),
            "has_roofing": self.flag(False, 0.3 if "solar" in categories else 0.05),
            "is_commercial": self.flag(False, 0.45),
            "is_residential": self.flag(False, 0.9),
            "is_gc": self.flag(False, 0.08),
        }
        trades = sum(1 for key in ("has_hvac", "has_electrical", "has_plumbing", "has_roofing")
                     if caps[key] is True)
        resimercial = 80 if caps["is_commercial"] and caps["is_residential"] else (
            45 if caps["is_commercial"] else 25)
        multi_oem = min(100, 20 + 25 * (len(dealer.oems) - 1))
        mepr = min(100, 15 + 22 * trades)
        om = rng.choice([20, 35, 50, 70, 85])
        icp = round(0.35 * resimercial + 0.25 * multi_oem + 0.25 * mepr + 0.15 * om, 1)
        icp_tier = ("PLATINUM" if icp >= 80 else "GOLD" if icp >= 60
                    else "SILVER" if icp >= 40 else "BRONZE")
        evidence = {
            "Resimercial_Evidence": ", ".join(
                label for label, on in (("commercial work", caps["is_commercial"]),
                                        ("residential work", caps["is_residential"])) if on
            ) or "no commercial or residential signal",
            "MultiOEM_Evidence": f"Certified by {len(dealer.oems)} OEMs: {', '.join(dealer.oems)}",
            "MEPR_Evidence": f"{trades} of mechanical/electrical/plumbing/roofing trades listed",
            "OM_Evidence": rng.choice(["Maintenance plans advertised", "Service agreements page",
                                       "No recurring service offer found",
                                       "24/7 emergency service"]),
        }
        services = sorted({s for c in categories for s in SERVICES[c]})
        scraped = SCRAPED_FROM + timedelta(minutes=7 * index + rng.randint(0, 6))
        slug = dealer.base_name.replace(" ", "").replace("&", "")
        lat_cell = f"{lat + rng.uniform(-0.25, 0.25):.6f}"
        lon_cell = f"{lon + rng.uniform(-0.25, 0.25):.6f}"
        return {
            "dealer_id": f"{dealer.oem_source[:3].upper()}-{rng.randint(1000, 999999):06d}",
            "name": dealer.name,
            "phone": self.phone_text(dealer.phone_digits),
            "domain": domain_cell,
            "website": website,
            "email": email,
            "street": street,
            "city": city_name,
            "state": state_cell,
            "zip": zip_cell,
            "county": county,
            "country": rng.choice(["US", "US", "US", "USA", "United States"]),
            "address_full": address_full,
            "latitude": lat_cell,
            "longitude": lon_cell,
            "place_id": "ChIJ" + "".join(rng.choices(string.ascii_letters + string.digits + "_-",
                                                     k=23)),
            "rating": "" if rating is None else f"{rating}",
            "review_count": review_cell,
            "google_rating": "" if rating is None else f"{rating}",
            "google_review_count": "" if reviews is None else str(reviews),
            "tier": tier,
            "oem_source": dealer.oem_source,
            "OEMs_Certified": ", ".join(dealer.oems),
            "OEM_Count": str(len(dealer.oems)) if rng.random() < 0.9 else "",
            "certifications": ", ".join(rng.sample(CERTIFICATIONS, rng.choice([0, 0, 1, 2, 3]))),
            **{key: "" if value is None else str(value) for key, value in caps.items()},
            "ICP_Score": f"{icp}",
            "ICP_Tier": icp_tier,
            "Resimercial_Score": str(resimercial),
            "MultiOEM_Score": str(multi_oem),
            "MEPR_Score": str(mepr),
            "OM_Score": str(om),
            **evidence,
            "employee_count": str(rng.choice([3, 5, 8, 12, 25, 40, 75, 150]))
            if rng.random() < 0.1 else "",
            "estimated_revenue": rng.choice(REVENUE) if rng.random() < 0.08 else "",
            "linkedin_url": f"https://www.linkedin.com/company/{slug.lower()}"
            if rng.random() < 0.06 else "",
            "facebook_url": f"https://www.facebook.com/{slug}" if rng.random() < 0.4 else "",
            "instagram_url": f"https://www.instagram.com/{slug.lower()}"
            if rng.random() < 0.15 else "",
            "yelp_url": f"https://www.yelp.com/biz/{slug.lower()}-{city_name.lower()}"
            if rng.random() < 0.2 else "",
            "hours": rng.choice(HOURS),
            "business_status": rng.choices(["OPERATIONAL", "CLOSED_TEMPORARILY", ""],
                                           [92, 3, 5])[0],
            "google_category": CATEGORY[category],
            "years_in_business": str(rng.randint(1, 60)) if rng.random() < 0.4 else "",
            "license_number": f"{state}-{rng.randint(10000, 999999)}" if rng.random() < 0.3
            else "",
            "services": "; ".join(services),
            "service_area": f"{city_name} metro, {rng.choice([25, 50, 75, 100])} mi",
            "description": f"{dealer.base_name} serves {city_name} homes and businesses: "
            f"{', '.join(services[:2]).lower()}.",
            "search_zip": f"{zip_base:05d}",
            "search_radius_miles": rng.choice(["25", "50", "100"]),
            "distance_miles": f"{rng.uniform(0.2, 60):.1f}",
            "locator_rank": str(rng.randint(1, 40)),
            "source_url": f"{OEMS[dealer.oem_source][1]}?zip={zip_base:05d}",
            "scraped_at": scraped.isoformat(timespec="seconds"),
            "last_verified": (scraped - timedelta(days=rng.randint(0, 400))).date().isoformat(),
            "data_quality_score": f"{rng.uniform(0.3, 1.0):.2f}",
            "notes": rng.choice(["", "", "", "", "Call before visiting",
                                 "Listed twice on locator", "Owner: ask for Dave"]),
        }

    def bad_row(self, kind: str, index: int) -> dict[str, str]:
        values = self.row(self.new_dealer(), index)
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

    def rows(self, count: int) -> list[dict[str, str]]:
        rng = self.rng
        # Bad rows on purpose: about 2% of the file, at least one of each kind.
        bad_kinds = ["no name", "no contact", "bad email only"]
        bad_count = max(5, count // 50)
        bad_at = dict(zip(rng.sample(range(count), bad_count),
                          (bad_kinds * bad_count)[:bad_count], strict=True))
        out = []
        for index in range(count):
            if index in bad_at:
                out.append(self.bad_row(bad_at[index], index))
                continue
            if self.dealers and rng.random() < 0.06:
                dealer = self.relisted(rng.choice(self.dealers))
            else:
                dealer = self.new_dealer()
                self.dealers.append(dealer)
            out.append(self.row(dealer, index))
        return out


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="data rows to write")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    write_csv(args.out, Generator(args.seed).rows(args.rows))
    print(f"wrote {args.rows} rows x {len(COLUMNS)} columns to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
