"""The ``rules`` engine: explainable scoring and template-based writing from lead facts.

Everything here is a pure function of the lead's facts and the rule tables
(:mod:`orchestration.config.rules`), so the same lead always gets the same result.
"""
