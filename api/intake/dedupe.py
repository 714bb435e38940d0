"""Duplicate detection inside one batch (repeats of stored leads: db/repositories/duplicates.py).

The same dealer appears once per OEM locator that lists it, each time with a slightly
different name ("Smith Electric, Inc." / "SMITH ELECTRIC") but the same phone, site or
email. Keys are checked strongest first; each flag names its rule and a confidence:

============== ============================================================ ==========
rule           the later row repeats an earlier one when                    confidence
============== ============================================================ ==========
email          same address (a role mailbox at a free-mail provider is not  0.98
               a company's: info@gmail.com)
domain         same own host, and the same page, phone or name               0.90-0.95
url            same page on a shared host, and the same phone or name        0.90-0.95
phone          same number                                                   0.95
name_state     same name key in the same state                               0.90
name_area_code same name key, a state missing on either side, same area code 0.85
name_city      same name key, a state missing on either side, same city      0.80
fuzzy_name     names a typo apart with the same numbers, and the same        0.70-0.85
               street, city, area code or state
============== ============================================================ ==========

A host is no company when unrelated dealers share it (booking and website-builder
platforms, social pages, directories, OEM locator pages): hosts of the kept list
(api/intake/shared_hosts.py) never become a lead's domain, and any host carried by three
different names with three different phones is recognised as shared as the batch goes.
On a shared host only the very same page counts. Until a host is known to be shared, a
domain counts only with the page, the phone or the name agreeing too, so the first
dealers met on an unknown platform are not flagged either.

Names are the weakest key: distinct companies a letter apart ("Hanson" / "Hansen") or a
digit apart ("Dealer 1" / "Dealer 0") are common. A name match is not flagged when the two
leads' own sites differ, or their phones and cities differ (see ``_conflict``).

Leads are marked one by one as they stream in (an upload is stored while it is parsed),
so every decision uses only the rows before it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final, NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from api.intake.gcpause import paused_gc
from api.intake.normalize import area_code, city_key, name_numbers, page_key, street_key
from api.intake.shared_hosts import (
    SHARED_AFTER,
    SHARED_HOSTS,
    is_company_email,
    is_shared_host,
)

# Fuzzy candidates are names at least this alike (token-sort ratio); the word-level check
# in ``names_alike`` then decides.
FUZZY_NAME_MIN_SCORE: Final = 85.0

EMAIL: Final = "email"
DOMAIN: Final = "domain"
URL: Final = "url"
PHONE: Final = "phone"
NAME_STATE: Final = "name_state"
NAME_AREA_CODE: Final = "name_area_code"
NAME_CITY: Final = "name_city"
FUZZY_NAME: Final = "fuzzy_name"
RULES: Final = (EMAIL, DOMAIN, URL, PHONE, NAME_STATE, NAME_AREA_CODE, NAME_CITY, FUZZY_NAME)

# A fuzzy name match needs one of these to agree too, the strongest first.
_SIGNALS: Final = (
    ("street_key", "same street", 0.85),
    ("city", "same city", 0.80),
    ("area", "same area code", 0.75),
    ("state", "same state", 0.70),
)
# Fuzzy candidates share a bucket (see ``_bucket``); a bucket scans at most this many of
# its latest names, so a file of 100,000 look-alike names stays linear.
_BUCKET_SCAN_LIMIT: Final = 512
# The bucket a lead without a state looks in: every first occurrence, whatever its state.
_ANY_STATE: Final = "*"
# Entries kept per domain or page: enough to find an agreeing one, bounded for hosts that
# turn out to be shared.
_KEEP_PER_SITE: Final = 8


def mark_in_batch_duplicates(leads: list[dict[str, Any]]) -> int:
    """Flag every lead that repeats an earlier one of the same batch; return how many.

    Sets on every draft ``duplicate_of_row`` (csv_index of the first occurrence, or None),
    ``duplicate_reason`` (e.g. "same domain as row 3"), ``duplicate_rule`` (one of
    ``RULES``) and ``duplicate_confidence`` (0-1).

    Exact keys are dict look-ups; fuzzy names are compared only within small buckets of
    earlier first occurrences (see ``_bucket``), so the pass stays near-linear: an
    8,000-row file takes a few tens of milliseconds, never all pairs.
    """
    marker = InBatchDuplicates()
    with paused_gc():
        return sum(marker.mark(lead) for lead in leads)


class _Seen:
    """What later rows are compared with: one earlier lead's keys."""

    __slots__ = (
        "_street_key", "area", "city", "key", "page", "phone", "root", "row", "site", "state",
        "street",
    )

    def __init__(
        self,
        row: int,
        key: str,
        phone: str | None,
        page: str | None,
        site: str | None,
        state: str,
        city: str | None,
        street: str | None,
    ) -> None:
        self.row = row
        self.root = row  # the first occurrence this lead stands for
        self.key = key
        self.phone = phone
        self.page = page
        self.site = site  # its own domain, or else its page on a shared platform
        self.state = state
        self.area = area_code(phone)
        self.city = city  # city_key of the city
        self.street = street  # as given; its key is worked out only when compared
        self._street_key: str | None | bool = False

    @property
    def street_key(self) -> str | None:
        if self._street_key is False:
            self._street_key = street_key(self.street) if self.street else None
        return self._street_key if isinstance(self._street_key, str) else None


class _Name(NamedTuple):
    sorted_key: str  # the name key's words in alphabetical order
    tokens: list[str]  # the same words, as a list
    initials: str  # their first letters
    numbers: str  # see name_numbers


def _page_of(website: str) -> str | None:
    # Drafts hold normalised websites ("https://host/path", no www., query or fragment):
    # their key is a slice; anything else takes the general path.
    if (
        website.startswith("https://")
        and not website.startswith("https://www.")
        and "?" not in website
        and "#" not in website
    ):
        return website[8:].lower().rstrip("/")
    return page_key(website)


class _Hit:
    __slots__ = ("confidence", "rule", "seen", "what")

    def __init__(self, seen: _Seen, rule: str, confidence: float, what: str) -> None:
        self.seen = seen
        self.rule = rule
        self.confidence = confidence
        self.what = what


class InBatchDuplicates:
    """The keys seen so far in one batch; :meth:`mark` flags a lead against the rows before
    it, so leads can be marked one by one as they stream in."""

    def __init__(self) -> None:
        self.by_email: dict[str, _Seen] = {}
        self.by_phone: dict[str, _Seen] = {}
        self.by_domain: dict[str, list[_Seen]] = {}
        self.by_page: dict[str, list[_Seen]] = {}
        self.shared_sites: set[str] = set()  # hosts and pages found to be shared
        # (name key, state / area code / city) -> first lead with it; "stateless" maps
        # hold only leads without a state, for a later row that has one.
        self.by_name_state: dict[tuple[str, str], _Seen] = {}
        self.by_name_area: dict[tuple[str, str], _Seen] = {}
        self.by_name_city: dict[tuple[str, str], _Seen] = {}
        self.stateless_by_name_area: dict[tuple[str, str], _Seen] = {}
        self.stateless_by_name_city: dict[tuple[str, str], _Seen] = {}
        self.buckets: dict[tuple[str, str, str], _NameBucket] = {}
        self.city_keys: dict[str, str | None] = {}  # a file names few cities, many times

    def mark(self, lead: dict[str, Any]) -> bool:
        """Set the ``duplicate_*`` fields of one lead; True when it is a duplicate."""
        get = lead.get
        row: int = lead["csv_index"]
        email: str | None = get("email")
        domain: str | None = get("domain")
        phone: str | None = get("phone")
        website: str | None = get("website")
        key: str = get("name_key") or ""
        state: str = get("state") or ""
        page = _page_of(website) if website else None
        city: str | None = get("city")
        if city:
            if city in self.city_keys:
                city = self.city_keys[city]
            else:
                city = self.city_keys[city] = city_key(city)
        me = _Seen(row, key, phone, page, domain or page, state, city or None, get("street"))
        if email and not is_company_email(email):
            email = None

        hit: _Hit | None = None
        if email and (seen := self.by_email.get(email)) is not None:
            hit = _Hit(seen, EMAIL, 0.98, "email")
        # On a host many companies share, only the very same page can tell.
        by_page = page is not None and not domain
        if hit is None and domain and (on_site := self.by_domain.get(domain)):
            if not is_shared_host(domain) and self._own_site(domain, on_site, me):
                hit = _site_hit(on_site, me, DOMAIN, "domain")
            else:
                by_page = page is not None
        on_page = self.by_page.get(page) if hit is None and by_page and page else None
        if page and on_page and self._own_site(page, on_page, me):
            hit = _site_hit(on_page, me, URL, "web page")
        if hit is None and phone and (seen := self.by_phone.get(phone)) is not None:
            hit = _Hit(seen, PHONE, 0.95, "phone")
        if hit is None and key:
            hit = self._name_hit(me)

        reason: str | None = None
        if hit is not None:
            me.root = hit.seen.root
            reason = _same(hit.what, hit.seen.row, hit.seen.root)
        elif key:
            tokens = sorted(key.split())
            name = _Name(
                " ".join(tokens), tokens, "".join(token[0] for token in tokens),
                name_numbers(key),
            )
            similar = self._fuzzy_hit(me, name)
            if similar is not None:
                hit, score = similar
                me.root = hit.seen.root
                reason = f"similar name to row {me.root} ({score:.0f}% alike, {hit.what})"
            else:
                self._add_to_buckets(me, name)

        lead["duplicate_of_row"] = None if hit is None else me.root
        lead["duplicate_reason"] = reason
        lead["duplicate_rule"] = None if hit is None else hit.rule
        lead["duplicate_confidence"] = None if hit is None else hit.confidence
        self._remember(me, email, domain)
        return hit is not None

    # --- rules ---------------------------------------------------------------------------

    def _own_site(self, site: str, carriers: list[_Seen], me: _Seen) -> bool:
        """Whether a host (or page) that earlier leads carry too may be one company's.

        It is not once it is carried by ``SHARED_AFTER`` different names with as many
        different phones: a booking platform not on the kept list, a locator page every
        dealer links to.
        """
        if site in self.shared_sites or site in SHARED_HOSTS:
            return False  # (a platform's own front page, facebook.com, is no dealer's)
        names = {me.key, *(seen.key for seen in carriers)}
        if len(names) < SHARED_AFTER:
            return True
        # An unknown phone may be anybody's.
        phones = {me.phone or me.row, *(seen.phone or seen.row for seen in carriers)}
        if len(phones) < SHARED_AFTER:
            return True
        self.shared_sites.add(site)
        return False

    def _name_hit(self, me: _Seen) -> _Hit | None:
        key, state = me.key, me.state
        if state:
            seen = self.by_name_state.get((key, state))
            if seen is not None and not _conflict(me, seen):
                return _Hit(seen, NAME_STATE, 0.90, "name")
        # A state missing on either side: the area code (or the city) must agree.
        by_area = self.by_name_area if not state else self.stateless_by_name_area
        by_city = self.by_name_city if not state else self.stateless_by_name_city
        seen = by_area.get((key, me.area)) if me.area else None
        if seen is not None and not _conflict(me, seen):
            return _Hit(seen, NAME_AREA_CODE, 0.85, "name and area code")
        seen = by_city.get((key, me.city)) if me.city else None
        if seen is not None and not _conflict(me, seen):
            return _Hit(seen, NAME_CITY, 0.80, "name and city")
        return None

    def _fuzzy_hit(self, me: _Seen, name: _Name) -> tuple[_Hit, float] | None:
        """The most alike earlier first occurrence that passes ``_fuzzy_signal``."""
        # Same state, or no state at all (whose area code or city may agree).
        places = (me.state, "") if me.state else (_ANY_STATE,)
        for place in places:
            bucket = self.buckets.get(_bucket(name, place))
            if bucket is None:
                continue
            for seen, score in bucket.matches(name.sorted_key):
                signal = _fuzzy_signal(me, seen, name.tokens)
                if signal is not None:
                    return _Hit(seen, FUZZY_NAME, signal[1], signal[0]), score
        return None

    def _add_to_buckets(self, me: _Seen, name: _Name) -> None:
        for place in (me.state, _ANY_STATE):
            bucket_key = _bucket(name, place)
            bucket = self.buckets.get(bucket_key)
            if bucket is None:
                bucket = self.buckets[bucket_key] = _NameBucket()
            bucket.add(name.sorted_key, me)

    def _remember(self, me: _Seen, email: str | None, domain: str | None) -> None:
        # Later rows may match this one through a key its first occurrence lacked.
        if email:
            self.by_email.setdefault(email, me)
        if me.phone:
            self.by_phone.setdefault(me.phone, me)
        if domain:
            _keep(self.by_domain, domain, me)
        if me.page:
            _keep(self.by_page, me.page, me)
        key = me.key
        if not key:
            return
        if me.state:
            self.by_name_state.setdefault((key, me.state), me)
        if me.area:
            self.by_name_area.setdefault((key, me.area), me)
            if not me.state:
                self.stateless_by_name_area.setdefault((key, me.area), me)
        if me.city:
            self.by_name_city.setdefault((key, me.city), me)
            if not me.state:
                self.stateless_by_name_city.setdefault((key, me.city), me)


def _site_hit(candidates: list[_Seen] | None, me: _Seen, rule: str, what: str) -> _Hit | None:
    """The first earlier lead on the same site whose page, phone or name agrees too.

    Sharing a site alone is not enough while it is not yet known whether the site is
    one company's: two dealers on a booking platform share its host but not their
    pages, phones or names.
    """
    if not candidates:
        return None
    for seen in candidates:
        if (rule == DOMAIN and seen.page == me.page) or (me.phone and seen.phone == me.phone):
            return _Hit(seen, rule, 0.95, what)
    for seen in candidates:
        if seen.key == me.key:
            return _Hit(seen, rule, 0.95, what)
    for seen in candidates:
        if names_alike(seen.key, me.key):
            return _Hit(seen, rule, 0.90, what)
    return None


def _conflict(a: _Seen, b: _Seen, *, typo: bool = False) -> bool:
    """Whether two leads with one name (or, with ``typo``, names a typo apart) show two
    companies: their own sites differ, or their phones differ where they are.

    Distinct companies a letter apart ("Hanson" / "Hansen", "SC" / "S.C.") are common;
    a listing that repeats a dealer rarely brings another site. A repeat may bring another
    number (the owner's cell), so differing phones only tell two companies apart when the
    cities differ too; for a name that is only alike, unless the street is the same.
    """
    if a.site and b.site and a.site != b.site:
        return True
    if a.phone and b.phone and a.phone != b.phone:
        if typo:
            street = a.street_key
            return street is None or street != b.street_key
        return a.city is not None and b.city is not None and a.city != b.city
    return False


def _keep(index: dict[str, list[_Seen]], value: str, seen: _Seen) -> None:
    entries = index.get(value)
    if entries is None:
        index[value] = [seen]
    elif len(entries) < _KEEP_PER_SITE:
        entries.append(seen)


def _same(what: str, matched_row: int, root: int) -> str:
    if matched_row == root:
        return f"same {what} as row {root}"
    return f"same {what} as row {matched_row}, itself a duplicate of row {root}"


# --- names -------------------------------------------------------------------------------


def names_alike(a: str, b: str) -> bool:
    """Whether two name keys are one name, up to word order and a typo.

    Numbers must be the same ("Dealer 1 Power" is not "Dealer 0 Power"), and every word
    one name has and the other lacks must pair with a word a typo away (see ``_typo``).
    """
    if a == b:
        return True
    if name_numbers(a) != name_numbers(b):
        return False
    tokens_a, tokens_b = sorted(a.split()), sorted(b.split())
    if fuzz.ratio(" ".join(tokens_a), " ".join(tokens_b)) < FUZZY_NAME_MIN_SCORE:
        return False
    return words_agree(tokens_a, tokens_b)


def words_agree(tokens_a: list[str], tokens_b: list[str]) -> bool:
    """Every word one name has and the other lacks pairs with a word a typo away."""
    if tokens_a == tokens_b:
        return True
    counts_a, counts_b = Counter(tokens_a), Counter(tokens_b)
    only_a = list((counts_a - counts_b).elements())
    only_b = list((counts_b - counts_a).elements())
    if len(only_a) != len(only_b):
        return False  # a word more or less: "Smith Electric" vs "Smith Electric Services"
    for word in only_a:
        partner = next((other for other in only_b if _typo(word, other)), None)
        if partner is None:
            return False
        only_b.remove(partner)
    return True


def _typo(a: str, b: str) -> bool:
    """One slip of the keyboard (two in a long word) turns one word into the other.

    Short words never count: "BC" and "BEC", "Ross" and "Rose", "Hall" and "Hill" are
    different names one letter apart. Nor does a changed first letter, which makes a
    different surname far more often than a typo does ("Roper" and "Coper").
    """
    longest = max(len(a), len(b))
    if longest < 5 or a[0] != b[0]:
        return False
    limit = 2 if longest >= 9 else 1
    return OSA.distance(a, b, score_cutoff=limit) <= limit


def _fuzzy_signal(me: _Seen, seen: _Seen, tokens: list[str]) -> tuple[str, float] | None:
    """(what agrees, confidence) when two names a typo apart are one company, else None.

    Look-alike names of distinct companies are common ("Hanson" / "Hansen"), so the names
    must agree word by word and something else must agree too, with nothing telling the
    two apart (see ``_conflict``).
    """
    if me.state and seen.state and me.state != seen.state:
        return None  # one name in two states: a franchise, not a duplicate
    if _conflict(me, seen, typo=True):
        return None
    if not words_agree(tokens, sorted(seen.key.split())):
        return None
    for attribute, what, confidence in _SIGNALS:
        value = getattr(me, attribute)
        if value and value == getattr(seen, attribute):
            return what, confidence
    return None


def _bucket(name: _Name, place: str) -> tuple[str, str, str]:
    """Where a name's fuzzy candidates are: the initials of its sorted words, its numbers,
    and the state (or ``_ANY_STATE``).

    Names a typo apart in the sense of ``words_agree`` keep every word's first letter, so
    their sorted initials are the same; and their numbers must be the same anyway ("Dealer
    1" is not "Dealer 0"). That keeps buckets small however large the file.
    """
    return (name.initials, name.numbers, place)


class _NameBucket:
    """First occurrences whose names share a bucket key, token-sorted (so plain
    ``fuzz.ratio`` on them is token-sort ratio)."""

    __slots__ = ("leads", "names")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.leads: list[_Seen] = []

    def add(self, sorted_key: str, lead: _Seen) -> None:
        self.names.append(sorted_key)
        self.leads.append(lead)

    def matches(self, sorted_key: str) -> list[tuple[_Seen, float]]:
        """Leads whose names score at least the minimum, most alike first."""
        names, leads = self.names, self.leads
        offset = max(0, len(names) - _BUCKET_SCAN_LIMIT)
        if offset:
            names = names[offset:]
        # Nearly every row has no look-alike: one extractOne settles that cheaply.
        best = process.extractOne(
            sorted_key, names, scorer=fuzz.ratio, score_cutoff=FUZZY_NAME_MIN_SCORE
        )
        if best is None:
            return []
        scored = process.extract(
            sorted_key, names, scorer=fuzz.ratio, score_cutoff=FUZZY_NAME_MIN_SCORE,
            limit=None,
        )
        return [(leads[offset + index], score) for _, score, index in scored]
