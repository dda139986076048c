import copy
import json

import pytest

from hub.screening.definition import DEFAULT_DEFINITION_PATH, LEVELS, DefinitionError, definition_load, definition_parse


def default_data() -> dict:
    return json.loads(DEFAULT_DEFINITION_PATH.read_text(encoding="utf-8"))


def problems_of(data) -> list[str]:
    with pytest.raises(DefinitionError) as excinfo:
        definition_parse(data)
    return excinfo.value.problems


def test_default_definition_loads():
    definition = definition_load()
    assert definition.version == "2026.1"
    assert definition.title == "CSE Screening and Risk Assessment Tool"
    assert "Open Government Licence" in definition.source
    ids = [i.id for i in definition.indicators]
    assert len(ids) == len(set(ids)) >= 30
    assert {i.level for i in definition.indicators} == set(LEVELS)
    assert all(i.wording and i.help for i in definition.indicators)
    assert {g.id for g in definition.groups} >= {
        "missing",
        "relationships",
        "gifts",
        "places",
        "online",
        "sexual_health",
        "education",
        "substances",
        "peers",
        "family",
        "disclosure",
    }


def test_default_rules_as_issue_6_gives_them():
    rules = definition_load().rules
    assert {level: (p.current, p.past) for level, p in rules.points.items()} == {
        "vulnerability": (1, 1),
        "moderate": (2, 1),
        "significant": (5, 2),
    }
    assert [(c.category, c.label, c.min_points) for c in rules.categories] == [
        (0, "No current CSE concern", 0),
        (1, "At risk", 4),
        (2, "Significant risk", 10),
        (3, "Serious risk", 20),
    ]
    assert [(r.at_least, r.category) for r in rules.current_significant] == [(1, 2), (2, 3)]
    assert (rules.disclosure.indicator, rules.disclosure.category) == ("disclosure", 3)
    assert [(f.under_age, f.learning_disability, f.category) for f in rules.floors] == [(13, False, 2), (None, True, 1)]


def test_default_flow_chart_contacts():
    definition = definition_load()
    assert [entry.category for entry in definition.flow_chart] == [0, 1, 2, 3]
    contacts = {c.id: c for c in definition.contacts}
    assert contacts["emergency"].phone == "999"
    assert (contacts["police"].phone, contacts["police"].quote) == ("101", "Operation Kite")
    assert contacts["hub"].email == "cse-hub@partnership.example.org"
    assert contacts["mash"].email


def test_whole_definition_must_be_an_object():
    assert problems_of([]) == ["definition: must be an object"]


def test_duplicate_ids_unknown_levels_and_unknown_fields():
    data = default_data()
    data["groups"][0]["indicators"].append(dict(data["groups"][1]["indicators"][0]))
    data["groups"][2]["indicators"][0]["level"] = "severe"
    data["groups"][3]["id"] = data["groups"][4]["id"]
    data["groups"][5]["indicators"][0]["colour"] = "red"
    problems = problems_of(data)
    assert "indicator 'older_partner': duplicate indicator id 'older_partner'" in problems
    assert (
        "indicator 'unexplained_items': unknown level 'severe' (expected one of vulnerability, moderate, significant)"
        in problems
    )
    assert "group 'online': duplicate group id 'online'" in problems
    assert "indicator 'sexual_health': unknown field(s) colour" in problems
    assert len(problems) == 4


def test_every_problem_listed_in_the_message():
    data = default_data()
    data["rules"]["categories"].pop()  # category 3
    data["flow_chart"].pop(0)  # category 0
    with pytest.raises(DefinitionError) as excinfo:
        definition_parse(data)
    message = str(excinfo.value)
    assert message.startswith("The screening tool definition is not valid:\n")
    assert "- rules.categories: missing category 3" in message
    assert "- flow_chart: missing category 0" in message


def test_thresholds_out_of_order():
    data = default_data()
    data["rules"]["categories"][2]["min_points"] = 4
    data["rules"]["categories"][0]["min_points"] = 1
    problems = problems_of(data)
    assert "rules.categories: category 0 must start at 0 points" in problems
    assert (
        "rules.categories: thresholds out of order: category 2 starts at 4 points, not above category 1 (4)" in problems
    )


def test_category_given_twice_or_unknown():
    data = default_data()
    data["rules"]["categories"][1]["category"] = 0
    data["rules"]["categories"].append({"category": 4, "label": "Beyond", "min_points": 40})
    problems = problems_of(data)
    assert "rules.categories: category 0 is given twice" in problems
    assert "rules.categories[4]: category must be one of 0, 1, 2, 3 (got 4)" in problems
    assert "rules.categories: missing category 1" in problems


def test_points_problems():
    data = default_data()
    data["rules"]["points"]["moderate"] = {"current": 1, "past": 2}
    data["rules"]["points"]["significant"]["current"] = "five"
    del data["rules"]["points"]["vulnerability"]
    problems = problems_of(data)
    assert "rules.points: missing vulnerability" in problems
    assert "rules.points.moderate: a past answer cannot score more than a current one" in problems
    assert "rules.points.significant.current: must be a whole number" in problems


def test_rule_problems():
    data = default_data()
    data["rules"]["disclosure"]["indicator"] = "told_someone"
    data["rules"]["current_significant"] = [{"at_least": 2, "category": 3}, {"at_least": 1, "category": 2}]
    data["rules"]["floors"][0]["levels"] = ["serious"]
    data["rules"]["floors"][1]["learning_disability"] = False
    problems = problems_of(data)
    assert "rules.disclosure: unknown indicator 'told_someone'" in problems
    assert "rules.current_significant: at_least must rise from one rule to the next, each once" in problems
    assert (
        "rules.floors[0].levels: unknown level 'serious' (expected one of vulnerability, moderate, significant)"
        in problems
    )
    assert "rules.floors[1]: needs an age limit or learning_disability true, or it applies to every child" in problems


def test_flow_chart_problems():
    data = default_data()
    data["flow_chart"][1]["steps"][0]["contacts"] = ["headteacher"]
    data["flow_chart"][2]["steps"][0]["due"] = {"unit": "fortnights", "amount": 1}
    data["flow_chart"][3]["steps"][3]["due"] = {"unit": "hours", "amount": 0}
    data["flow_chart"][0]["steps"] = []
    problems = problems_of(data)
    assert "flow chart for category 1 steps[0]: unknown contact 'headteacher'" in problems
    assert any(p.startswith("flow chart for category 2 steps[0].due: unknown unit 'fortnights'") for p in problems)
    assert "flow chart for category 3 steps[3].due.amount: must be 1 or more" in problems
    assert "flow chart for category 0: has no steps" in problems


def test_missing_fields_reported_once():
    data = default_data()
    del data["title"]
    del data["rules"]["floors"]
    assert problems_of(data) == ["definition: missing title", "rules: missing floors"]


def test_not_json(tmp_path):
    path = tmp_path / "tool.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError, match="tool.json: not valid JSON"):
        definition_load(path)


def test_parse_does_not_change_its_input():
    data = default_data()
    before = copy.deepcopy(data)
    definition_parse(data)
    assert data == before
