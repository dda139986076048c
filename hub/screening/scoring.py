"""Scoring a screening against a tool definition: pure functions, no database.

The category is the highest of: the points band, the current significant
indicator rules, the disclosure rule and the floors. Every rule that fired is
returned in words, so the result page can show why the child is where they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hub.screening.definition import Definition, FlowChartEntry, Indicator

YES_CURRENT = "yes_current"
YES_PAST = "yes_past"
NO = "no"
NOT_KNOWN = "not_known"
ANSWERS = (YES_CURRENT, YES_PAST, NO, NOT_KNOWN)
YES_ANSWERS = (YES_CURRENT, YES_PAST)
# The tool is for children: under 18 at the time of screening.
MAX_AGE_YEARS = 17


@dataclass(frozen=True)
class Contribution:
    indicator: Indicator
    answer: str
    points: int


@dataclass(frozen=True)
class Reason:
    rule: str  # "points", "current_significant", "disclosure" or "floor"
    text: str
    category: int
    decisive: bool  # this rule alone gives the final category


@dataclass(frozen=True)
class Result:
    version: str
    points: int
    category: int
    category_label: str
    reasons: tuple[Reason, ...]
    contributions: tuple[Contribution, ...]
    gaps: tuple[Indicator, ...]  # answered "not known": to follow up
    missing: tuple[Indicator, ...]  # not answered at all
    next_steps: FlowChartEntry
    notice: str


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def answers_check(definition: Definition, answers: Mapping[str, str]) -> None:
    """Refuse unknown indicator ids and answer values, naming every one."""
    known = {indicator.id for indicator in definition.indicators}
    problems = []
    unknown_ids = sorted(str(key) for key in answers if key not in known)
    if unknown_ids:
        problems.append(f"unknown indicator id(s): {', '.join(unknown_ids)}")
    bad_values = sorted(f"{key}={value!r}" for key, value in answers.items() if key in known and value not in ANSWERS)
    if bad_values:
        problems.append(f"answer(s) not one of {', '.join(ANSWERS)}: {', '.join(bad_values)}")
    if problems:
        raise ValueError(f"Tool version {definition.version}: " + "; ".join(problems))


def missing_answers(definition: Definition, answers: Mapping[str, str]) -> list[Indicator]:
    """Indicators with no answer, in the tool's order; a draft with any cannot be submitted."""
    return [indicator for indicator in definition.indicators if indicator.id not in answers]


def points_band(definition: Definition, points: int) -> int:
    category = 0
    for rule in definition.rules.categories:
        if points >= rule.min_points:
            category = rule.category
    return category


def _band_text(definition: Definition, category: int) -> str:
    categories = definition.rules.categories
    low = categories[category].min_points
    if category + 1 < len(categories):
        high = categories[category + 1].min_points - 1
        if category == 0:
            return f"fewer than {high + 1} points"
        return f"{low} to {high} points"
    return f"{low} or more points"


def score(definition: Definition, answers: Mapping[str, str], *, age_years: int, learning_disability: bool) -> Result:
    """Score answers (indicator id -> yes_current, yes_past, no or not_known)."""
    answers_check(definition, answers)
    if isinstance(age_years, bool) or not isinstance(age_years, int) or not 0 <= age_years <= MAX_AGE_YEARS:
        raise ValueError(f"age_years must be a whole number from 0 to {MAX_AGE_YEARS}, not {age_years!r}")
    rules = definition.rules

    contributions: list[Contribution] = []
    gaps: list[Indicator] = []
    current_significant: list[Indicator] = []
    for indicator in definition.indicators:
        answer = answers.get(indicator.id)
        if answer == NOT_KNOWN:
            gaps.append(indicator)
        if answer not in YES_ANSWERS:
            continue
        level_points = rules.points[indicator.level]
        points = level_points.current if answer == YES_CURRENT else level_points.past
        contributions.append(Contribution(indicator=indicator, answer=answer, points=points))
        if answer == YES_CURRENT and indicator.level == "significant":
            current_significant.append(indicator)

    total = sum(c.points for c in contributions)
    # (rule, text, category) for every rule that fired, in the order shown.
    fired: list[tuple[str, str, int]] = []

    band = points_band(definition, total)
    fired.append(
        (
            "points",
            f"{_plural(total, 'point')} from {_plural(len(contributions), 'indicator')} "
            f"({_band_text(definition, band)}: category {band})",
            band,
        )
    )

    matching = [rule for rule in rules.current_significant if len(current_significant) >= rule.at_least]
    if matching:
        rule = max(matching, key=lambda r: r.category)
        wordings = "; ".join(indicator.wording for indicator in current_significant)
        if len(current_significant) == 1:
            text = f"Current significant indicator: {wordings} (category {rule.category})"
        else:
            count = len(current_significant)
            text = f"{count} current significant indicators: {wordings} (category {rule.category})"
        fired.append(("current_significant", text, rule.category))

    if answers.get(rules.disclosure.indicator) in YES_ANSWERS:
        fired.append(
            (
                "disclosure",
                f"Disclosure of sexual exploitation: category {rules.disclosure.category}",
                rules.disclosure.category,
            )
        )

    for floor in rules.floors:
        if floor.under_age is not None and age_years >= floor.under_age:
            continue
        if floor.learning_disability and not learning_disability:
            continue
        if not any(c.indicator.level in floor.levels for c in contributions):
            continue
        fired.append(("floor", f"Floor: {floor.label}: at least category {floor.category}", floor.category))

    category = max(rule_category for _, _, rule_category in fired)
    reasons = tuple(
        Reason(rule=rule, text=text, category=rule_category, decisive=rule_category == category)
        for rule, text, rule_category in fired
    )
    return Result(
        version=definition.version,
        points=total,
        category=category,
        category_label=definition.category_rule(category).label,
        reasons=reasons,
        contributions=tuple(contributions),
        gaps=tuple(gaps),
        missing=tuple(missing_answers(definition, answers)),
        next_steps=definition.flow_chart_for(category),
        notice=definition.notice,
    )
