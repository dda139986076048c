import pytest

from hub.screening.definition import definition_load
from hub.screening.scoring import missing_answers, score

DEFINITION = definition_load()


def ids(level: str) -> list[str]:
    return [i.id for i in DEFINITION.indicators if i.level == level and i.id != "disclosure"]


def full(answers: dict[str, str] | None = None) -> dict[str, str]:
    """Every indicator answered "no", then the given answers on top."""
    return {i.id: "no" for i in DEFINITION.indicators} | (answers or {})


def run(answers: dict[str, str], *, age_years: int = 14, learning_disability: bool = False):
    return score(DEFINITION, full(answers), age_years=age_years, learning_disability=learning_disability)


def yes(indicator_ids: list[str], answer: str = "yes_current") -> dict[str, str]:
    return dict.fromkeys(indicator_ids, answer)


def test_no_concern_scores_zero():
    result = run({})
    assert (result.points, result.category, result.category_label) == (0, 0, "No current CSE concern")
    assert [r.text for r in result.reasons] == ["0 points from 0 indicators (fewer than 4 points: category 0)"]
    assert result.contributions == () and result.gaps == () and result.missing == ()
    assert "supports professional judgement" in result.notice


@pytest.mark.parametrize(
    ("answers", "points", "category"),
    [
        (yes(ids("vulnerability")[:3]), 3, 0),
        (yes(ids("vulnerability")[:4]), 4, 1),
        (yes(ids("moderate")[:4]) | yes(ids("vulnerability")[:1]), 9, 1),
        (yes(ids("moderate")[:5]), 10, 2),
        (yes(ids("moderate")[:9]) | yes(ids("vulnerability")[:1]), 19, 2),
        (yes(ids("moderate")[:10]), 20, 3),
    ],
    ids=["3-points", "4-points", "9-points", "10-points", "19-points", "20-points"],
)
def test_points_thresholds(answers, points, category):
    result = run(answers)
    assert (result.points, result.category) == (points, category)
    assert result.reasons[0].rule == "points"
    assert result.reasons[0].text.startswith(f"{points} points from ")
    assert result.reasons[0].text.endswith(f": category {category})")
    assert len(result.reasons) == 1


def test_points_reason_wording():
    result = run(yes(ids("moderate")[:5]) | yes(ids("vulnerability")[:2]))
    assert result.reasons[0].text == "12 points from 7 indicators (10 to 19 points: category 2)"
    assert (
        run(yes(ids("moderate")[:10])).reasons[0].text == "20 points from 10 indicators (20 or more points: category 3)"
    )
    assert (
        run(yes(ids("vulnerability")[:1])).reasons[0].text
        == "1 point from 1 indicator (fewer than 4 points: category 0)"
    )


@pytest.mark.parametrize(
    ("level", "answer", "points"),
    [
        ("vulnerability", "yes_current", 1),
        ("vulnerability", "yes_past", 1),
        ("moderate", "yes_current", 2),
        ("moderate", "yes_past", 1),
        ("significant", "yes_current", 5),
        ("significant", "yes_past", 2),
    ],
)
def test_points_per_level_current_and_past(level, answer, points):
    indicator_id = ids(level)[0]
    result = run({indicator_id: answer})
    assert result.points == points
    [contribution] = result.contributions
    assert (contribution.indicator.id, contribution.answer, contribution.points) == (indicator_id, answer, points)


def test_past_significant_is_not_a_current_significant_indicator():
    result = run(yes(ids("significant")[:2], "yes_past"))
    assert (result.points, result.category) == (4, 1)
    assert [r.rule for r in result.reasons] == ["points"]


def test_one_current_significant_indicator_is_category_2():
    indicator = DEFINITION.indicator("cars_unknown_adults")
    result = run({indicator.id: "yes_current"})
    assert (result.points, result.category, result.category_label) == (5, 2, "Significant risk")
    texts = [r.text for r in result.reasons]
    assert texts[0] == "5 points from 1 indicator (4 to 9 points: category 1)"
    assert texts[1] == f"Current significant indicator: {indicator.wording} (category 2)"
    assert [r.decisive for r in result.reasons] == [False, True]


def test_two_current_significant_indicators_are_category_3():
    first, second = DEFINITION.indicator("cars_unknown_adults"), DEFINITION.indicator("hotels")
    result = run(yes([first.id, second.id]))
    assert (result.points, result.category, result.category_label) == (10, 3, "Serious risk")
    reason = result.reasons[1]
    assert reason.rule == "current_significant"
    assert reason.text == f"2 current significant indicators: {first.wording}; {second.wording} (category 3)"
    assert reason.decisive


@pytest.mark.parametrize("answer", ["yes_current", "yes_past"])
def test_disclosure_is_category_3(answer):
    result = run({"disclosure": answer})
    assert result.category == 3
    assert "Disclosure of sexual exploitation: category 3" in [r.text for r in result.reasons]


def test_disclosure_answered_no_or_not_known_does_not_fire():
    assert run({"disclosure": "no"}).category == 0
    result = run({"disclosure": "not_known"})
    assert result.category == 0
    assert [g.id for g in result.gaps] == ["disclosure"]


def test_floor_under_13_with_moderate_indicator():
    answers = {ids("moderate")[0]: "yes_past"}  # 1 point
    assert run(answers, age_years=13).category == 0
    result = run(answers, age_years=12)
    assert result.category == 2
    assert result.reasons[-1].text == "Floor: under 13 with a moderate or significant indicator: at least category 2"
    assert result.reasons[-1].decisive


def test_floor_under_13_needs_a_moderate_or_significant_yes():
    result = run({ids("vulnerability")[0]: "yes_current"}, age_years=10)
    assert result.category == 0
    assert [r.rule for r in result.reasons] == ["points"]
    assert run({ids("significant")[0]: "yes_past"}, age_years=10).category == 2


def test_floor_learning_disability_with_any_yes():
    answers = {ids("vulnerability")[0]: "yes_past"}
    assert run(answers).category == 0
    result = run(answers, learning_disability=True)
    assert result.category == 1
    assert result.reasons[-1].text == "Floor: learning disability with any indicator: at least category 1"
    # No "yes" at all: the floor does not apply.
    assert run({ids("moderate")[0]: "not_known"}, learning_disability=True).category == 0


def test_floors_only_raise():
    answers = yes(ids("moderate")[:10])  # 20 points: category 3
    result = run(answers, age_years=11, learning_disability=True)
    assert result.category == 3
    floors = [r for r in result.reasons if r.rule == "floor"]
    assert [f.category for f in floors] == [2, 1]
    assert not any(f.decisive for f in floors)


def test_not_known_answers_are_gaps_and_score_nothing():
    unknown = [ids("significant")[0], ids("moderate")[0]]
    result = run(yes(unknown, "not_known"))
    assert (result.points, result.category) == (0, 0)
    # In the tool's order, ready for a follow-up list.
    assert [g.id for g in result.gaps] == ["missing_episodes", "missing_found_far_away"]
    assert result.contributions == ()


def test_missing_answers_reported():
    answers = {ids("moderate")[0]: "yes_current"}
    missing = missing_answers(DEFINITION, answers)
    assert len(missing) == len(DEFINITION.indicators) - 1
    assert ids("moderate")[0] not in [i.id for i in missing]
    result = score(DEFINITION, answers, age_years=15, learning_disability=False)
    assert result.points == 2 and result.missing == tuple(missing)
    assert missing_answers(DEFINITION, full()) == []


def test_unknown_indicator_ids_refused():
    with pytest.raises(ValueError, match="unknown indicator id\\(s\\): made_up, other_made_up"):
        run({"made_up": "yes_current", "other_made_up": "no"})


def test_bad_answer_values_refused():
    with pytest.raises(ValueError, match="hotels='yes'.*school_absence='maybe'"):
        run({"hotels": "yes", "school_absence": "maybe"})


@pytest.mark.parametrize("age", [-1, 18, 30])
def test_age_outside_the_tool_refused(age):
    with pytest.raises(ValueError, match="age_years"):
        run({}, age_years=age)


@pytest.mark.parametrize("category", [0, 1, 2, 3])
def test_flow_chart_steps_for_the_category(category):
    answers = {
        0: {},
        1: yes(ids("vulnerability")[:4]),
        2: {"cars_unknown_adults": "yes_current"},
        3: {"disclosure": "yes_current"},
    }[category]
    result = run(answers)
    assert result.category == category
    assert result.next_steps.category == category
    assert result.next_steps == DEFINITION.flow_chart_for(category)


def test_category_3_steps_say_who_and_when():
    steps = run({"disclosure": "yes_current"}).next_steps.steps
    assert steps[0].contacts[0].phone == "999"
    assert steps[0].due.text == "immediately"
    police = steps[1].contacts[0]
    assert (police.phone, police.quote) == ("101", "Operation Kite")
    assert "MASH" in steps[2].contacts[0].name
    assert steps[3].due.text == "within 24 hours"
    assert steps[4].contacts[0].email == "cse-hub@partnership.example.org"


def test_category_1_and_2_timescales():
    steps_1 = run(yes(ids("vulnerability")[:4])).next_steps.steps
    assert [s.due.text for s in steps_1] == ["within 5 working days", "within 5 working days", "within 3 months"]
    steps_2 = run({"hotels": "yes_current"}).next_steps.steps
    assert [s.due.text for s in steps_2] == ["the same working day", "the same working day"]
    assert steps_2[1].contacts[0].email == "cse-hub@partnership.example.org"
