"""The screening tool as data: load a definition and check every part of it.

A definition (JSON, in ``definitions/``) holds the indicators, the scoring
rules and the flow chart. ``definition_parse`` turns it into frozen dataclasses
or raises ``DefinitionError`` listing every problem found, not only the first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
DEFAULT_DEFINITION_PATH = DEFINITIONS_DIR / "cse-screening-2026.1.json"

LEVELS = ("vulnerability", "moderate", "significant")
CATEGORIES = (0, 1, 2, 3)
DUE_UNITS = ("immediately", "same_working_day", "working_days", "hours", "months", "ongoing", "on_change")
# Units that need a whole number of them ("within 5 working days").
COUNTED_UNITS = ("working_days", "hours", "months")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


class DefinitionError(ValueError):
    """A definition that cannot be used; ``problems`` lists everything wrong."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The screening tool definition is not valid:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class Indicator:
    id: str
    group_id: str
    wording: str
    help: str
    level: str


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class LevelPoints:
    current: int
    past: int


@dataclass(frozen=True)
class CategoryRule:
    category: int
    label: str
    min_points: int


@dataclass(frozen=True)
class CurrentSignificantRule:
    at_least: int
    category: int


@dataclass(frozen=True)
class DisclosureRule:
    indicator: str
    category: int


@dataclass(frozen=True)
class Floor:
    label: str
    under_age: int | None
    learning_disability: bool
    levels: tuple[str, ...]
    category: int


@dataclass(frozen=True)
class Rules:
    current_means: str
    past_means: str
    points: dict[str, LevelPoints]
    categories: tuple[CategoryRule, ...]  # in order of category, 0 first
    current_significant: tuple[CurrentSignificantRule, ...]
    disclosure: DisclosureRule
    floors: tuple[Floor, ...]


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    phone: str
    email: str
    quote: str  # a reference to give when calling, e.g. an operation name


@dataclass(frozen=True)
class Due:
    unit: str
    amount: int | None

    @property
    def text(self) -> str:
        if self.unit == "immediately":
            return "immediately"
        if self.unit == "same_working_day":
            return "the same working day"
        if self.unit == "ongoing":
            return "ongoing"
        if self.unit == "on_change":
            return "if anything changes"
        names = {
            "working_days": ("working day", "working days"),
            "hours": ("hour", "hours"),
            "months": ("month", "months"),
        }
        singular, plural = names[self.unit]
        return f"within {self.amount} {singular if self.amount == 1 else plural}"


@dataclass(frozen=True)
class Step:
    action: str
    contacts: tuple[Contact, ...]
    due: Due


@dataclass(frozen=True)
class FlowChartEntry:
    category: int
    summary: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Definition:
    version: str
    title: str
    source: str
    notice: str
    groups: tuple[Group, ...]
    rules: Rules
    contacts: tuple[Contact, ...]
    flow_chart: tuple[FlowChartEntry, ...]  # one per category, 0 first

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(indicator for group in self.groups for indicator in group.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def category_rule(self, category: int) -> CategoryRule:
        return self.rules.categories[category]

    def flow_chart_for(self, category: int) -> FlowChartEntry:
        return self.flow_chart[category]


# Stands for a field that is absent; "missing" was already reported for it.
_MISSING: Any = object()


class _Checker:
    """Collects problems while reading untrusted nested data."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def mapping(self, value: Any, where: str, required: tuple[str, ...]) -> dict | None:
        """Check an object's fields; absent ones read back as _MISSING."""
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.problem(f"{where}: must be an object")
            return None
        missing = [key for key in required if key not in value]
        if missing:
            self.problem(f"{where}: missing {', '.join(missing)}")
        unknown = sorted(set(value) - set(required))
        if unknown:
            self.problem(f"{where}: unknown field(s) {', '.join(unknown)}")
        return {key: value.get(key, _MISSING) for key in required}

    def text(self, value: Any, where: str, *, blank: bool = False) -> str:
        if value is _MISSING:
            return ""
        if not isinstance(value, str):
            self.problem(f"{where}: must be text")
            return ""
        if not blank and not value.strip():
            self.problem(f"{where}: must not be blank")
        return value.strip()

    def integer(self, value: Any, where: str, *, minimum: int = 0) -> int | None:
        if value is _MISSING:
            return None
        # bool is an int in Python; true/false are not numbers here.
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(f"{where}: must be a whole number")
            return None
        if value < minimum:
            self.problem(f"{where}: must be {minimum} or more")
            return None
        return value

    def category(self, value: Any, where: str) -> int | None:
        if value is _MISSING:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value not in CATEGORIES:
            self.problem(f"{where}: category must be one of 0, 1, 2, 3 (got {value!r})")
            return None
        return value

    def listing(self, value: Any, where: str) -> list:
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.problem(f"{where}: must be a list")
            return []
        return value

    def identifier(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        if text and not _ID_RE.match(text):
            self.problem(f"{where}: id {text!r} must be lower case letters, digits and underscores")
        return text


def definition_parse(data: Any) -> Definition:
    """Check a decoded definition and return it typed; raise DefinitionError listing every problem."""
    check = _Checker()
    top = check.mapping(
        data, "definition", ("version", "title", "source", "notice", "rules", "groups", "contacts", "flow_chart")
    )
    if top is None:
        raise DefinitionError(check.problems)
    version = check.text(top.get("version"), "version")
    if version and not _VERSION_RE.match(version):
        check.problem(f"version: {version!r} must be letters, digits, dots, dashes or underscores (at most 32)")
    title = check.text(top.get("title"), "title")
    source = check.text(top.get("source"), "source")
    notice = check.text(top.get("notice"), "notice")

    groups = _parse_groups(check, top.get("groups"))
    indicators = {indicator.id: indicator for group in groups for indicator in group.indicators}
    rules = _parse_rules(check, top.get("rules"), indicators)
    contacts = _parse_contacts(check, top.get("contacts"))
    flow_chart = _parse_flow_chart(check, top.get("flow_chart"), {contact.id: contact for contact in contacts})

    if check.problems or rules is None:
        raise DefinitionError(check.problems or ["rules: could not be read"])
    return Definition(
        version=version,
        title=title,
        source=source,
        notice=notice,
        groups=groups,
        rules=rules,
        contacts=contacts,
        flow_chart=flow_chart,
    )


def definition_load(path: Path | str = DEFAULT_DEFINITION_PATH) -> Definition:
    """Read a definition file and check it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DefinitionError([f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno})"]) from exc
    return definition_parse(data)


def _name(raw: Any, kind: str) -> str:
    """'indicator 'x'' for an object with a usable id, so problems name what they are about."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and _ID_RE.match(raw["id"]):
        return f"{kind} {raw['id']!r}"
    return ""


def _parse_groups(check: _Checker, value: Any) -> tuple[Group, ...]:
    groups: list[Group] = []
    group_ids: set[str] = set()
    indicator_ids: set[str] = set()
    raw_groups = check.listing(value, "groups")
    if isinstance(value, list) and not raw_groups:
        check.problem("groups: at least one group is needed")
    for g_index, raw_group in enumerate(raw_groups):
        where = _name(raw_group, "group") or f"groups[{g_index}]"
        group = check.mapping(raw_group, where, ("id", "title", "indicators"))
        if group is None:
            continue
        group_id = check.identifier(group.get("id"), f"{where}.id")
        if group_id:
            where = f"group {group_id!r}"
            if group_id in group_ids:
                check.problem(f"{where}: duplicate group id {group_id!r}")
            group_ids.add(group_id)
        title = check.text(group.get("title"), f"{where}.title")
        indicators: list[Indicator] = []
        raw_indicators = check.listing(group.get("indicators"), f"{where}.indicators")
        if isinstance(group["indicators"], list) and not raw_indicators:
            check.problem(f"{where}: has no indicators")
        for i_index, raw in enumerate(raw_indicators):
            i_where = _name(raw, "indicator") or f"{where} indicators[{i_index}]"
            item = check.mapping(raw, i_where, ("id", "wording", "help", "level"))
            if item is None:
                continue
            indicator_id = check.identifier(item.get("id"), f"{i_where}.id")
            if indicator_id:
                i_where = f"indicator {indicator_id!r}"
                if indicator_id in indicator_ids:
                    check.problem(f"{i_where}: duplicate indicator id {indicator_id!r}")
                indicator_ids.add(indicator_id)
            level = item.get("level")
            if level is not _MISSING and level not in LEVELS:
                check.problem(f"{i_where}: unknown level {level!r} (expected one of {', '.join(LEVELS)})")
            indicators.append(
                Indicator(
                    id=indicator_id,
                    group_id=group_id,
                    wording=check.text(item.get("wording"), f"{i_where}.wording"),
                    help=check.text(item.get("help"), f"{i_where}.help", blank=True),
                    level=level if isinstance(level, str) else "",
                )
            )
        groups.append(Group(id=group_id, title=title, indicators=tuple(indicators)))
    return tuple(groups)


def _parse_rules(check: _Checker, value: Any, indicators: dict[str, Indicator]) -> Rules | None:
    keys = ("current_means", "past_means", "points", "categories", "current_significant", "disclosure", "floors")
    raw = check.mapping(value, "rules", keys)
    if raw is None:
        return None

    points: dict[str, LevelPoints] = {}
    raw_points = check.mapping(raw.get("points"), "rules.points", LEVELS)
    for level in LEVELS:
        if raw_points is None or level not in raw_points:
            continue
        entry = check.mapping(raw_points[level], f"rules.points.{level}", ("current", "past"))
        if entry is None:
            continue
        current = check.integer(entry.get("current"), f"rules.points.{level}.current")
        past = check.integer(entry.get("past"), f"rules.points.{level}.past")
        if current is not None and past is not None:
            if past > current:
                check.problem(f"rules.points.{level}: a past answer cannot score more than a current one")
            points[level] = LevelPoints(current=current, past=past)

    by_category: dict[int, CategoryRule] = {}
    for index, item in enumerate(check.listing(raw.get("categories"), "rules.categories")):
        where = f"rules.categories[{index}]"
        entry = check.mapping(item, where, ("category", "label", "min_points"))
        if entry is None:
            continue
        category = check.category(entry.get("category"), where)
        label = check.text(entry.get("label"), f"{where}.label")
        min_points = check.integer(entry.get("min_points"), f"{where}.min_points")
        if category is None or min_points is None:
            continue
        if category in by_category:
            check.problem(f"rules.categories: category {category} is given twice")
            continue
        by_category[category] = CategoryRule(category=category, label=label, min_points=min_points)
    missing = [str(c) for c in CATEGORIES if c not in by_category]
    if missing:
        check.problem(f"rules.categories: missing category {', '.join(missing)}")
    categories = tuple(by_category[c] for c in CATEGORIES if c in by_category)
    if 0 in by_category and by_category[0].min_points != 0:
        check.problem("rules.categories: category 0 must start at 0 points")
    for lower, higher in zip(categories, categories[1:], strict=False):
        if higher.min_points <= lower.min_points:
            check.problem(
                f"rules.categories: thresholds out of order: category {higher.category} starts at "
                f"{higher.min_points} points, not above category {lower.category} ({lower.min_points})"
            )

    current_significant: list[CurrentSignificantRule] = []
    for index, item in enumerate(check.listing(raw.get("current_significant"), "rules.current_significant")):
        where = f"rules.current_significant[{index}]"
        entry = check.mapping(item, where, ("at_least", "category"))
        if entry is None:
            continue
        at_least = check.integer(entry.get("at_least"), f"{where}.at_least", minimum=1)
        category = check.category(entry.get("category"), where)
        if at_least is not None and category is not None:
            current_significant.append(CurrentSignificantRule(at_least=at_least, category=category))
    counts = [rule.at_least for rule in current_significant]
    if counts != sorted(set(counts)):
        check.problem("rules.current_significant: at_least must rise from one rule to the next, each once")
    for lower, higher in zip(current_significant, current_significant[1:], strict=False):
        if higher.category < lower.category:
            check.problem("rules.current_significant: more current significant indicators cannot give a lower category")

    disclosure = None
    entry = check.mapping(raw.get("disclosure"), "rules.disclosure", ("indicator", "category"))
    if entry is not None:
        indicator_id = check.text(entry.get("indicator"), "rules.disclosure.indicator")
        category = check.category(entry.get("category"), "rules.disclosure")
        if indicator_id and indicator_id not in indicators:
            check.problem(f"rules.disclosure: unknown indicator {indicator_id!r}")
        if category is not None:
            disclosure = DisclosureRule(indicator=indicator_id, category=category)

    floors: list[Floor] = []
    for index, item in enumerate(check.listing(raw.get("floors"), "rules.floors")):
        where = f"rules.floors[{index}]"
        entry = check.mapping(item, where, ("label", "under_age", "learning_disability", "levels", "category"))
        if entry is None:
            continue
        label = check.text(entry.get("label"), f"{where}.label")
        under_age = entry.get("under_age")
        if under_age is not None:
            under_age = check.integer(under_age, f"{where}.under_age", minimum=1)
        needs_ld = entry.get("learning_disability")
        if needs_ld is _MISSING:
            needs_ld = False
        elif not isinstance(needs_ld, bool):
            check.problem(f"{where}.learning_disability: must be true or false")
            needs_ld = False
        if entry["under_age"] is None and needs_ld is False:
            check.problem(f"{where}: needs an age limit or learning_disability true, or it applies to every child")
        levels = check.listing(entry.get("levels"), f"{where}.levels")
        bad = [repr(level) for level in levels if level not in LEVELS]
        if bad:
            check.problem(f"{where}.levels: unknown level {', '.join(bad)} (expected one of {', '.join(LEVELS)})")
        if entry["levels"] is not _MISSING and not levels:
            check.problem(f"{where}.levels: at least one level is needed")
        category = check.category(entry.get("category"), where)
        if category is not None:
            floors.append(
                Floor(
                    label=label,
                    under_age=under_age,
                    learning_disability=needs_ld,
                    levels=tuple(level for level in levels if level in LEVELS),
                    category=category,
                )
            )

    if disclosure is None:
        return None
    return Rules(
        current_means=check.text(raw.get("current_means"), "rules.current_means"),
        past_means=check.text(raw.get("past_means"), "rules.past_means"),
        points=points,
        categories=categories,
        current_significant=tuple(current_significant),
        disclosure=disclosure,
        floors=tuple(floors),
    )


def _parse_contacts(check: _Checker, value: Any) -> tuple[Contact, ...]:
    contacts: list[Contact] = []
    seen: set[str] = set()
    for index, item in enumerate(check.listing(value, "contacts")):
        where = f"contacts[{index}]"
        entry = check.mapping(item, where, ("id", "name", "phone", "email", "quote"))
        if entry is None:
            continue
        contact_id = check.identifier(entry.get("id"), f"{where}.id")
        if contact_id in seen:
            check.problem(f"contacts: duplicate contact id {contact_id!r}")
        seen.add(contact_id)
        email = check.text(entry.get("email"), f"{where}.email", blank=True)
        if email and "@" not in email:
            check.problem(f"{where}.email: {email!r} is not an email address")
        contacts.append(
            Contact(
                id=contact_id,
                name=check.text(entry.get("name"), f"{where}.name"),
                phone=check.text(entry.get("phone"), f"{where}.phone", blank=True),
                email=email,
                quote=check.text(entry.get("quote"), f"{where}.quote", blank=True),
            )
        )
    return tuple(contacts)


def _parse_flow_chart(check: _Checker, value: Any, contacts: dict[str, Contact]) -> tuple[FlowChartEntry, ...]:
    entries: dict[int, FlowChartEntry] = {}
    for index, item in enumerate(check.listing(value, "flow_chart")):
        where = f"flow_chart[{index}]"
        entry = check.mapping(item, where, ("category", "summary", "steps"))
        if entry is None:
            continue
        category = check.category(entry.get("category"), where)
        if category is not None:
            where = f"flow chart for category {category}"
        summary = check.text(entry.get("summary"), f"{where}.summary")
        steps: list[Step] = []
        raw_steps = check.listing(entry.get("steps"), f"{where}.steps")
        if entry["steps"] is not _MISSING and not raw_steps:
            check.problem(f"{where}: has no steps")
        for s_index, raw_step in enumerate(raw_steps):
            s_where = f"{where} steps[{s_index}]"
            step = check.mapping(raw_step, s_where, ("action", "contacts", "due"))
            if step is None:
                continue
            action = check.text(step.get("action"), f"{s_where}.action")
            step_contacts: list[Contact] = []
            for contact_id in check.listing(step.get("contacts"), f"{s_where}.contacts"):
                if isinstance(contact_id, str) and contact_id in contacts:
                    step_contacts.append(contacts[contact_id])
                else:
                    check.problem(f"{s_where}: unknown contact {contact_id!r}")
            due = _parse_due(check, step.get("due"), f"{s_where}.due")
            if due is not None:
                steps.append(Step(action=action, contacts=tuple(step_contacts), due=due))
        if category is None:
            continue
        if category in entries:
            check.problem(f"flow_chart: category {category} is given twice")
            continue
        entries[category] = FlowChartEntry(category=category, summary=summary, steps=tuple(steps))
    missing = [str(c) for c in CATEGORIES if c not in entries]
    if missing:
        check.problem(f"flow_chart: missing category {', '.join(missing)}")
    return tuple(entries[c] for c in CATEGORIES if c in entries)


def _parse_due(check: _Checker, value: Any, where: str) -> Due | None:
    entry = check.mapping(value, where, ("unit", "amount"))
    if entry is None:
        return None
    unit = entry.get("unit")
    if unit is _MISSING:
        return None
    if unit not in DUE_UNITS:
        check.problem(f"{where}: unknown unit {unit!r} (expected one of {', '.join(DUE_UNITS)})")
        return None
    amount = entry.get("amount")
    if unit in COUNTED_UNITS:
        amount = check.integer(amount, f"{where}.amount", minimum=1)
        if amount is None:
            return None
    elif amount is not None:
        check.problem(f"{where}: {unit} takes no amount")
        return None
    return Due(unit=unit, amount=amount)
