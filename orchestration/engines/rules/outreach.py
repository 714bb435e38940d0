"""Campaign strategy, channel plan and written outreach, from the lead's own facts.

Every sentence is assembled from what the lead's data says (company, city, OEMs, dealer
tier, services, reviews); a fact that is missing leaves its clause out instead of
leaving a gap, so no message ever carries an unfilled slot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypedDict

from orchestration.config.rules import Marketing, Outreach
from orchestration.engines.rules.facts import CompanyFacts, dealer_title, mix_phrase, service_phrase
from orchestration.engines.rules.growth import credential_points
from orchestration.engines.rules.text import (
    display_city,
    display_place,
    display_state,
    display_street,
    find_placeholders,
    first_name,
    industry_phrase,
    join_words,
    sentence,
)

Channel = Literal["email", "linkedin", "phone", "direct_mail"]
LINKEDIN_NOTE_LIMIT = 300  # characters LinkedIn allows in a connection note
_PURPOSE: dict[str, str] = {
    "email": "introduce and share one idea that fits their business",
    "linkedin": "connect with the decision maker",
    "phone": "qualify interest and book a call",
    "direct_mail": "leave a tangible reminder at the office",
}
# How a voicemail ends, by the touch that follows the call.
_FOLLOW_UP: dict[str, str] = {
    "email": "I'll follow up by email; no need to call back.",
    "linkedin": "I'll send you a short note on LinkedIn; no need to call back.",
    "direct_mail": "I'll send a short letter to your office; no need to call back.",
}
# High-touch accounts get the call early; everyone else hears from us in writing first.
_CHANNEL_ORDER: dict[str, tuple[Channel, ...]] = {
    "A": ("email", "phone", "linkedin", "direct_mail"),
    "default": ("email", "linkedin", "phone", "direct_mail"),
}
_STRATEGIES: dict[str, tuple[str, str]] = {
    # tier -> (strategy for an ordinary market, strategy for a high-growth market)
    "A": ("account-based, high-touch", "account-based, high-touch"),
    "B": ("personalised multi-touch sequence", "targeted multi-touch, growth angle"),
    "C": ("light-touch nurture", "growth-market nurture"),
    "D": ("long-term nurture only", "long-term nurture only"),
}


class Strategy(TypedDict):
    """The campaign approach for one lead, and why."""

    name: str  # e.g. "account-based, high-touch"
    tier: str | None  # qualification tier the choice rests on (None: not qualified)
    high_growth: bool  # growth score at or above marketing.high_growth_min
    reason: str  # why this strategy, in words


class ChannelStep(TypedDict):
    """One touch of the campaign."""

    channel: Channel
    day: int  # days after the campaign starts
    purpose: str  # what this touch is for
    why: str  # the contact data that makes this channel possible


class UnfilledSlotError(ValueError):
    """Written content still carries a template slot ({name}, [Company], TBD, ...)."""

    def __init__(self, channel: str, field: str, slots: list[str]) -> None:
        super().__init__(f"{channel} {field} carries unfilled slot(s) {', '.join(slots)}")
        self.channel, self.field, self.slots = channel, field, slots


class Content(TypedDict):
    """What to send or say on one channel."""

    subject: str | None  # email subject or mail headline (None for phone and LinkedIn)
    body: str  # message text, voicemail script or letter
    call_opener: str | None  # first lines of a call (phone only)


def choose_strategy(
    tier: str | None, score: int | None, growth_score: int | None, rules: Marketing
) -> Strategy:
    """Pick the campaign approach from the qualification tier and the growth score."""
    high_growth = growth_score is not None and growth_score >= rules.high_growth_min
    growth_text = f"growth {growth_score}/100" if growth_score is not None else "growth unknown"
    if tier not in _STRATEGIES:
        return Strategy(
            name=_STRATEGIES["B"][high_growth],
            tier=None,
            high_growth=high_growth,
            reason=f"not qualified yet, {growth_text}: a personalised default sequence",
        )
    name = _STRATEGIES[tier][high_growth]
    score_text = f" ({score}/100)" if score is not None else ""
    why = {
        "A": "worth a dedicated, personal approach",
        "B": "worth a tailored sequence" + (" that leads with growth" if high_growth else ""),
        "C": "worth staying in touch at low cost",
        "D": "not worth active outreach now",
    }[tier]
    return Strategy(
        name=name,
        tier=tier,
        high_growth=high_growth,
        reason=f"tier {tier}{score_text}, {growth_text}: {why}",
    )


def contact_options(
    facts: CompanyFacts, enrichment: Mapping[str, Any]
) -> tuple[dict[Channel, str], list[str]]:
    """The channels the lead's contact data opens, each with why, and contacts left unused.

    ``enrichment`` is the enrichment stage's output ({} when it has not run): its checks
    can rule out an address or number, and it may have found a LinkedIn profile.
    """
    checks: Mapping[str, Any] = enrichment.get("contacts") or {}
    email_check: Mapping[str, Any] = checks.get("email") or {}
    phone_check: Mapping[str, Any] = checks.get("phone") or {}
    options: dict[Channel, str] = {}
    unused: list[str] = []
    if facts["email"]:
        kind = email_check.get("kind")
        if kind == "invalid":
            unused.append("Email on file fails the syntax check: not used.")
        else:
            options["email"] = {
                "role": "shared inbox on file (reaches the office, not a named person)",
                "free_mail": "personal free-mail address on file",
                "personal": "named company address on file",
            }.get(str(kind), "email address on file")
    profile_url = linkedin_url_of(facts, enrichment)
    if profile_url:
        options["linkedin"] = "LinkedIn profile found"
    elif facts["contact_name"]:
        options["linkedin"] = "contact name on file, to find on LinkedIn"
    if facts["phone"]:
        if phone_check.get("valid") is False:
            unused.append("Phone on file is not a valid number: not used.")
        elif phone_check.get("toll_free"):
            options["phone"] = "toll-free line on file (expect a front desk)"
        else:
            options["phone"] = "phone number on file"
    if mailing_address(facts) is not None:
        options["direct_mail"] = "street address on file"
    return options, unused


def linkedin_url_of(facts: CompanyFacts, enrichment: Mapping[str, Any]) -> str | None:
    """A LinkedIn URL from the lead itself or from what enrichment derived."""
    derived: Mapping[str, Any] = enrichment.get("derived") or {}
    fields: Mapping[str, Any] = enrichment.get("fields") or {}
    field: Mapping[str, Any] = fields.get("linkedin_url") or {}
    for candidate in (facts["linkedin_url"], derived.get("linkedin_url"), field.get("value")):
        if isinstance(candidate, str) and "linkedin.com" in candidate.lower():
            return candidate
    return None


def plan_channels(
    options: Mapping[Channel, str], strategy: Strategy, rules: Marketing
) -> list[ChannelStep]:
    """The touches the contact data allows, in the tier's order, with cadence days."""
    tier = strategy["tier"] or "B"
    order = _CHANNEL_ORDER.get(tier, _CHANNEL_ORDER["default"])
    days = rules.cadence_days[tier]
    chosen = [channel for channel in order if channel in options]
    return [
        ChannelStep(
            channel=channel,
            day=days[min(i, len(days) - 1)],
            purpose=_PURPOSE[channel],
            why=options[channel],
        )
        for i, channel in enumerate(chosen)
    ]


# --- writing --------------------------------------------------------------------------------


def article(word: str) -> str:
    """``"a"`` or ``"an"`` for the word that follows."""
    if word[:1].isupper() and word[1:2].isupper():  # acronym, read letter by letter
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    return "an" if word[:1].lower() in "aeiou" else "a"


def possessive(name: str) -> str:
    """``"Sunrise Power"`` -> ``"Sunrise Power's"``; ``"Watts Bros"`` -> ``"Watts Bros'"``."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


def place_of(facts: CompanyFacts) -> str | None:
    """``"Austin, TX"``, ``"Austin"``, ``"TX"`` or None; scraped fragments are left out."""
    return display_place(facts["city"], facts["state"])


def town_of(facts: CompanyFacts) -> str | None:
    """The city alone (``"Austin"``), else the state code, else None: for short lines."""
    return display_city(facts["city"]) or display_state(facts["state"])


def mailing_address(facts: CompanyFacts) -> list[str] | None:
    """The envelope's lines below the name, or None when the address does not parse.

    A letter needs a street and a city with its state, or a ZIP code.
    """
    street = display_street(facts["street"])
    zip_code = (facts["zip"] or "").strip()
    zip_code = zip_code if len(zip_code) >= 5 and zip_code[:5].isdigit() else ""
    town = display_city(facts["city"]) and display_state(facts["state"])
    if street is None or not (zip_code or town):
        return None
    return [street, " ".join(p for p in (place_of(facts), zip_code) if p)]


def rating_clause(
    facts: CompanyFacts, min_rating: float = 4.5, min_reviews: int = 20
) -> str | None:
    """``"4.8★ from 212 reviews"`` when the reviews are a strength worth naming, else None.

    Only a rating on the 0-5 scale with enough reviews behind it is ever printed.
    """
    rating, reviews = facts["rating"], facts["review_count"]
    if rating is None or reviews is None or not min_rating <= rating <= 5 or reviews < min_reviews:
        return None
    return f"{rating:.1f}★ from {reviews:,} reviews"


def who_they_are(facts: CompanyFacts) -> str:
    """``"an Elite Generac dealer"``, ``"a solar company"``, ``"a contractor"``."""
    if facts["kind"] == "dealer":
        title = dealer_title(facts)
        return f"{article(title)} {title}"
    if facts["industry"]:
        industry = industry_phrase(facts["industry"])
        return f"{article(industry)} {industry} company"
    return "a contractor"


def greeting_name(facts: CompanyFacts) -> str:
    """The contact's first name, or the company's team."""
    return first_name(facts["contact_name"]) or f"{facts['company']} team"


def identity(facts: CompanyFacts) -> str:
    """``"Sunrise Power, an Elite Generac dealer in Austin, TX"``, plus OEMs when several."""
    text = f"{facts['company']}, {who_they_are(facts)}"
    if place_of(facts):
        text += f" in {place_of(facts)}"
    if facts["oem_count"] > 1 and facts["oems"]:
        text += f" certified with {join_words(facts['oems'])}"
    return text


def work_sentence(facts: CompanyFacts) -> str | None:
    """What they do and for whom, with their reviews when those are a strength."""
    reviews = rating_clause(facts)
    # Services read from the OEMs or an industry word add nothing the intro has not said.
    if not facts["services"] or facts["services_inferred"]:
        return f"{reviews} says your customers notice how your crews work." if reviews else None
    mix = mix_phrase(facts)
    sentence = f"Running {service_phrase(facts['services'])} work"
    if mix:
        sentence += f" for {mix}"
    sentence += " takes a lot of coordination"
    if reviews:
        sentence += f", and {reviews} says your crews handle it well"
    return sentence + "."


def specialty(facts: CompanyFacts) -> str:
    """What they are known for: ``"solar and battery work"``, ``"Generac installs"``."""
    if facts["services"]:
        return f"{service_phrase(facts['services'][:2])} work"
    if facts["oems"]:
        return f"{facts['oems'][0]} installs"
    if facts["industry"]:
        return f"{industry_phrase(facts['industry'])} work"
    return "your projects"


def _ask(strategy: Strategy, facts: CompanyFacts, minutes: int) -> str:
    tier = strategy["tier"] or "B"
    if tier == "A":
        return (
            f"Could we find {minutes} minutes next week to walk through what that would "
            f"look like for {facts['company']}?"
        )
    if tier == "B":
        return f"Would a {minutes}-minute call in the next two weeks be useful?"
    if tier == "C":
        return (
            "If this is on your list for later this year, I'm happy to send a short overview first."
        )
    return "No need to reply now; I'll send a short overview you can keep for later."


def email_content(
    facts: CompanyFacts,
    strategy: Strategy,
    angle: str | None,
    sender: Outreach,
    credentials: Sequence[str] = (),
) -> Content:
    """A first email naming the company's real attributes."""
    place = town_of(facts)
    tier = strategy["tier"] or "B"
    if tier == "A":
        subject = f"{facts['company']}: {specialty(facts)}" + (f" in {place}" if place else "")
    elif tier == "B":
        subject = f"A question about {possessive(facts['company'])} {specialty(facts)}"
    else:
        subject = f"A note for {facts['company']}" + (f" in {place}" if place else "")
    paragraphs = [
        f"Hi {greeting_name(facts)},",
        sentence(f"I came across {identity(facts)}"),
        work_sentence(facts),
        credential_sentence(facts, credentials),
        angle,
        sender.value_proposition,
        _ask(strategy, facts, sender.meeting_minutes),
        f"{sender.sender_name}\n{_capital_first(sender.sender_team)}",
    ]
    return Content(subject=subject, body="\n\n".join(p for p in paragraphs if p), call_opener=None)


def linkedin_content(facts: CompanyFacts, sender: Outreach) -> Content:
    """A connection note under LinkedIn's 300-character limit."""
    services = f" doing {service_phrase(facts['services'][:3])} work" if facts["services"] else ""
    where = f" in {place_of(facts)}" if place_of(facts) else ""
    state = display_state(facts["state"])
    peers = f"in {state}" if state else "like you"
    note = (
        sentence(
            f"Hi {greeting_name(facts)}, I came across {facts['company']}, "
            f"{who_they_are(facts)}{where}{services}"
        )
        + f" I work with energy contractors {peers} and would be glad to connect."
    )
    if len(note) > LINKEDIN_NOTE_LIMIT:
        note = (
            sentence(f"Hi {greeting_name(facts)}, I came across {facts['company']}{where}")
            + " I work with energy contractors and would be glad to connect."
        )
    return Content(subject=None, body=note[:LINKEDIN_NOTE_LIMIT], call_opener=None)


def phone_content(
    facts: CompanyFacts,
    angle: str | None,
    sender: Outreach,
    next_channel: Channel | None = None,
) -> Content:
    """A call opener and a voicemail script that names the touch that comes next."""
    name = first_name(facts["contact_name"])
    hello = f"Hi {name}, this is" if name else "Hi, this is"
    doing = f" doing {service_phrase(facts['services'][:3])} work" if facts["services"] else ""
    where = f" in {place_of(facts)}" if place_of(facts) else ""
    opener = (
        f"{hello} {sender.sender_name} with {sender.sender_team}. I'm calling "
        f"{facts['company']} because you're {who_they_are(facts)}{where}{doing}. "
        "Do you have two minutes for a quick question about how you schedule those jobs?"
    )
    topic = specialty(facts)  # "solar and battery work", or "your projects" when unknown
    topic = topic if topic.startswith("your ") else f"your {topic}"
    voicemail = (
        sentence(
            f"{hello} {sender.sender_name} with {sender.sender_team}, calling "
            f"for {facts['company']} about {topic}"
        )
        + " "
        + (f"{angle} " if angle else "")
        + _FOLLOW_UP.get(next_channel or "", "I'll try you again later this week.")
    )
    return Content(subject=None, body=voicemail, call_opener=opener)


def direct_mail_content(
    facts: CompanyFacts, sender: Outreach, credentials: Sequence[str] = ()
) -> Content:
    """A short letter to the company's street address."""
    address = [facts["company"], *(mailing_address(facts) or [])]
    lines = [
        "\n".join(address),
        f"Hello {greeting_name(facts)},",
        sentence(f"We work with contractors like {identity(facts)}"),
        work_sentence(facts),
        credential_sentence(facts, credentials),
        sender.value_proposition,
        f"{sender.sender_name}, {sender.sender_team}",
    ]
    return Content(
        subject=mail_headline(facts),
        body="\n\n".join(line for line in lines if line),
        call_opener=None,
    )


def notable_credentials(
    facts: CompanyFacts, table: Mapping[str, float], at_least: float = 3.0
) -> list[str]:
    """The lead's certifications that ``table`` rates ``at_least`` (NABCEP, NATE, ...)."""
    return [c for c in facts["certifications"] if credential_points(c, table) >= at_least]


def credential_sentence(facts: CompanyFacts, credentials: Sequence[str]) -> str | None:
    """``"Your NABCEP PV Installation Professional credential puts Sunrise ahead on ..."``."""
    if not credentials:
        return None
    named = list(credentials[:2])
    puts = "credential puts" if len(named) == 1 else "credentials put"
    return (
        f"Your {join_words(named)} {puts} {facts['company']} ahead on the jobs that are "
        "growing fastest."
    )


def mail_headline(facts: CompanyFacts) -> str:
    """``"More billable hours for Sunrise Power's solar and battery crews in Austin"``."""
    crews = f"{service_phrase(facts['services'][:2])} crews" if facts["services"] else "crews"
    town = display_city(facts["city"])
    where = f" in {town}" if town else ""
    return f"More billable hours for {possessive(facts['company'])} {crews}{where}"


def write_content(
    facts: CompanyFacts,
    strategy: Strategy,
    plan: list[ChannelStep],
    angle: str | None,
    sender: Outreach,
    credentials: Sequence[str] = (),
) -> dict[str, Content]:
    """Content for every planned channel, keyed by channel.

    credentials: the lead's certifications worth naming (see :func:`notable_credentials`).
    """
    order = [step["channel"] for step in plan]
    after_phone = order[order.index("phone") + 1] if "phone" in order[:-1] else None
    writers: dict[str, Callable[[], Content]] = {
        "email": lambda: email_content(facts, strategy, angle, sender, credentials),
        "linkedin": lambda: linkedin_content(facts, sender),
        "phone": lambda: phone_content(facts, angle, sender, after_phone),
        "direct_mail": lambda: direct_mail_content(facts, sender, credentials),
    }
    return {step["channel"]: writers[step["channel"]]() for step in plan}


def check_content(content: Mapping[str, Content]) -> None:
    """Raise :class:`UnfilledSlotError` if any text still holds a slot or breaks a limit."""
    for channel, written in content.items():
        for field in ("subject", "body", "call_opener"):
            value = written.get(field)
            if not value:
                continue
            slots = find_placeholders(str(value))
            if slots:
                raise UnfilledSlotError(channel, field, slots)
        if channel == "linkedin" and len(written["body"]) > LINKEDIN_NOTE_LIMIT:
            raise ValueError(
                f"LinkedIn note is {len(written['body'])} characters, over "
                f"the {LINKEDIN_NOTE_LIMIT} LinkedIn allows"
            )


def _capital_first(text: str) -> str:
    return text[:1].upper() + text[1:]
