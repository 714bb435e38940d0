"""Campaign strategy, channel plan and written outreach, from the lead's own facts.

Every sentence is assembled from what the lead's data says (company, city, OEMs, dealer
tier, services, reviews); a fact that is missing leaves its clause out instead of
leaving a gap, so no message ever carries an unfilled slot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypedDict

from orchestration.config.rules import Marketing, Outreach
from orchestration.engines.rules.facts import CompanyFacts, dealer_title, mix_phrase, service_phrase
from orchestration.engines.rules.text import first_name, industry_phrase, join_words, sentence

Channel = Literal["email", "linkedin", "phone", "direct_mail"]
_PURPOSE: dict[str, str] = {
    "email": "introduce and share one idea that fits their business",
    "linkedin": "connect with the decision maker",
    "phone": "qualify interest and book a call",
    "direct_mail": "leave a tangible reminder at the office",
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
            name=_STRATEGIES["B"][high_growth], tier=None, high_growth=high_growth,
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
    return Strategy(name=name, tier=tier, high_growth=high_growth,
                    reason=f"tier {tier}{score_text}, {growth_text}: {why}")


def plan_channels(facts: CompanyFacts, strategy: Strategy, rules: Marketing) -> list[ChannelStep]:
    """The touches that the lead's contact data allows, ordered, with cadence days."""
    available: set[Channel] = set()
    if facts["email"]:
        available.add("email")
    if facts["linkedin_url"] or facts["contact_name"]:
        available.add("linkedin")
    if facts["phone"]:
        available.add("phone")
    if facts["street"]:
        available.add("direct_mail")
    tier = strategy["tier"] or "B"
    order = _CHANNEL_ORDER.get(tier, _CHANNEL_ORDER["default"])
    days = rules.cadence_days[tier]
    chosen = [channel for channel in order if channel in available]
    return [ChannelStep(channel=channel, day=days[min(i, len(days) - 1)],
                        purpose=_PURPOSE[channel])
            for i, channel in enumerate(chosen)]


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
    """``"Austin, TX"``, ``"Austin"``, ``"TX"`` or None."""
    return facts["location"]


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
    # Services guessed from an industry word add nothing the intro has not said.
    if not facts["services"] or facts["services_inferred"]:
        return None
    mix = mix_phrase(facts)
    sentence = f"Running {service_phrase(facts['services'])} work"
    if mix:
        sentence += f" for {mix}"
    sentence += " takes a lot of coordination"
    rating, reviews = facts["rating"], facts["review_count"]
    if rating is not None and rating >= 4.5 and reviews is not None and reviews >= 20:
        sentence += f", and {rating:.1f}★ from {reviews} reviews says your crews handle it well"
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
        return (f"Could we find {minutes} minutes next week to walk through what that would "
                f"look like for {facts['company']}?")
    if tier == "B":
        return f"Would a {minutes}-minute call in the next two weeks be useful?"
    if tier == "C":
        return ("If this is on your list for later this year, I'm happy to send a short "
                "overview first.")
    return "No need to reply now; I'll send a short overview you can keep for later."


def email_content(facts: CompanyFacts, strategy: Strategy, angle: str | None,
                  sender: Outreach) -> Content:
    """A first email naming the company's real attributes."""
    place = facts["city"] or facts["state"]
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
        angle,
        sender.value_proposition,
        _ask(strategy, facts, sender.meeting_minutes),
        f"{sender.sender_name}\n{_capital_first(sender.sender_team)}",
    ]
    return Content(subject=subject, body="\n\n".join(p for p in paragraphs if p),
                   call_opener=None)


def linkedin_content(facts: CompanyFacts, sender: Outreach) -> Content:
    """A connection note under LinkedIn's 300-character limit."""
    services = f" doing {service_phrase(facts['services'][:3])} work" if facts["services"] else ""
    where = f" in {place_of(facts)}" if place_of(facts) else ""
    note = (sentence(f"Hi {greeting_name(facts)}, I came across {facts['company']}, "
                     f"{who_they_are(facts)}{where}{services}") + " I work with energy contractors "
            f"{'in ' + facts['state'] if facts['state'] else 'like you'} and would be glad "
            "to connect.")
    if len(note) > 300:
        note = (sentence(f"Hi {greeting_name(facts)}, I came across {facts['company']}{where}")
                + " I work with energy contractors and would be glad to connect.")
    return Content(subject=None, body=note[:300], call_opener=None)


def phone_content(facts: CompanyFacts, strategy: Strategy, angle: str | None,
                  sender: Outreach) -> Content:
    """A call opener and a voicemail script."""
    name = first_name(facts["contact_name"])
    hello = f"Hi {name}, this is" if name else "Hi, this is"
    doing = (f" doing {service_phrase(facts['services'][:3])} work" if facts["services"]
             else "")
    where = f" in {place_of(facts)}" if place_of(facts) else ""
    opener = (f"{hello} {sender.sender_name} with {sender.sender_team}. I'm calling "
              f"{facts['company']} because you're {who_they_are(facts)}{where}{doing}. "
              "Do you have two minutes for a quick question about how you schedule those jobs?")
    voicemail = (sentence(f"{hello} {sender.sender_name} with {sender.sender_team}, calling "
                          f"for {facts['company']}") + " " + (f"{angle} " if angle else "")
                 + "I'll follow up by email; no need to call back.")
    return Content(subject=None, body=voicemail, call_opener=opener)


def direct_mail_content(facts: CompanyFacts, sender: Outreach) -> Content:
    """A short letter to the company's street address."""
    address = [facts["company"], facts["street"] or ""]
    city_line = ", ".join(part for part in (facts["city"], facts["state"]) if part)
    if facts["zip"]:
        city_line = f"{city_line} {facts['zip']}".strip()
    address.append(city_line)
    lines = [
        "\n".join(line for line in address if line),
        f"Hello {greeting_name(facts)},",
        sentence(f"We work with contractors like {identity(facts)}"),
        work_sentence(facts),
        sender.value_proposition,
        f"{sender.sender_name}, {sender.sender_team}",
    ]
    return Content(subject=f"For the team at {facts['company']}",
                   body="\n\n".join(line for line in lines if line), call_opener=None)


def write_content(facts: CompanyFacts, strategy: Strategy, plan: list[ChannelStep],
                  angle: str | None, sender: Outreach) -> dict[str, Content]:
    """Content for every planned channel, keyed by channel."""
    writers: dict[str, Callable[[], Content]] = {
        "email": lambda: email_content(facts, strategy, angle, sender),
        "linkedin": lambda: linkedin_content(facts, sender),
        "phone": lambda: phone_content(facts, strategy, angle, sender),
        "direct_mail": lambda: direct_mail_content(facts, sender),
    }
    return {step["channel"]: writers[step["channel"]]() for step in plan}


def _capital_first(text: str) -> str:
    return text[:1].upper() + text[1:]
