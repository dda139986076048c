"""Disclosure control: proofs that no hidden count can be worked out.

Every test hands published tables to the independent checker in oracle.py,
which finds by exhaustive search the smallest and largest value each hidden
figure can take given everything published (see its notes for the reader it
models), and asserts min < max for every one, and that no count from 1 to
threshold - 1 is published. Tables come from exhaustive enumeration of small
ones, from Hypothesis (derandomised, so a failure reproduces) and from cases
written out by hand.
"""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.reports.disclosure import (
    GRAND,
    PRIMARY,
    SECONDARY,
    WITHHELD,
    Published,
    cell,
    col_total,
    exact,
    row_total,
    suppress,
    suppress_linked,
    threshold_default,
)
from hub.reports.tests.oracle import disclosed, problem_of, published_counts_safe, value_range

PROOF = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _cap(rows, threshold: int) -> int:
    return 2 * sum(map(sum, rows)) + threshold + 2


def assert_protected(table: Published, rows, threshold: int) -> None:
    """Nothing small published, every published figure true, and no hidden figure recoverable
    by the strong reader (and so, a fortiori, by the weak one: checked too)."""
    assert not published_counts_safe(table, threshold)
    truth = exact(rows, totals=table.has_grand_total)
    for position in _all_positions(truth):
        if table.value(position) is not None:
            assert table.value(position) == truth.value(position)
    for weak in (False, True):
        problem = problem_of([table], threshold=threshold, cap=_cap(rows, threshold), weak=weak)
        for var in problem.domains:
            smallest, largest = value_range(problem, var)
            true_value = truth.value(var[1])
            assert smallest <= true_value <= largest
            assert smallest < largest, f"{var[1]} = {true_value} can be worked out (weak={weak}): {rows}"


def _all_positions(table: Published) -> list:
    height, width = len(table.cells), len(table.cells[0])
    positions = [cell(i, j) for i in range(height) for j in range(width)]
    if table.row_totals is not None:
        positions += [row_total(i) for i in range(height)]
    if table.col_totals is not None:
        positions += [col_total(j) for j in range(width)]
    if table.has_grand_total:
        positions.append(GRAND)
    return positions


# --- Small cases, by hand -------------------------------------------------------


def test_counts_from_one_to_four_are_shown_as_less_than_five():
    table = suppress([[12, 3, 0, 9], [7, 8, 11, 6], [9, 10, 5, 20]], threshold=5)
    assert table.shown(cell(0, 1)) == "<5"
    assert table.mark(cell(0, 1)) == PRIMARY
    assert table.shown(cell(0, 2)) == "0"  # zeros are published
    assert table.value(cell(0, 1)) is None
    assert_protected(table, [[12, 3, 0, 9], [7, 8, 11, 6], [9, 10, 5, 20]], 5)


def test_a_lone_small_count_in_a_row_gets_a_complement_in_its_row_and_column():
    rows = [[12, 3, 9], [7, 8, 11], [9, 10, 20]]
    table = suppress(rows, threshold=5)
    secondary = [position for position, mark in table.marks.items() if mark == SECONDARY]
    assert len(secondary) >= 3  # one in the row, one in the column, one to close the rectangle
    assert table.row_totals is not None and None not in table.row_totals  # totals kept: cells were enough
    assert_protected(table, rows, 5)


def test_one_dimensional_table_hides_a_complement_beside_a_lone_small_count():
    table = suppress([[40, 3, 25, 12]], threshold=5)
    assert table.shown(cell(0, 1)) == "<5"
    # The smallest count that can take it is hidden too, and the total stays.
    assert table.shown(cell(0, 3)) == "[c]"
    assert table.shown(GRAND) == "80"
    assert table.row_totals is None and table.col_totals is None
    assert_protected(table, [[40, 3, 25, 12]], 5)


def test_one_column_table_is_handled_like_one_row():
    rows = [[40], [3], [25], [12]]
    table = suppress(rows, threshold=5)
    assert table.shown(cell(1, 0)) == "<5" and table.shown(cell(3, 0)) == "[c]"
    assert_protected(table, rows, 5)


def test_two_small_counts_that_add_up_to_their_extremes_are_not_enough():
    # 1 + 1 with a published total of 2 (or 4 + 4 = 8) pins both: "<5" means 1 to 4.
    for rows in ([[30, 1, 1]], [[30, 4, 4]], [[1, 1]], [[4, 4, 20]]):
        table = suppress(rows, threshold=5)
        assert_protected(table, rows, 5)


def test_small_total_is_suppressed_and_protected():
    rows = [[2, 1, 0], [10, 6, 9], [8, 7, 12]]
    table = suppress(rows, threshold=5)
    assert table.mark(row_total(0)) == PRIMARY
    assert_protected(table, rows, 5)


def test_a_count_of_exactly_the_threshold_cannot_fall_as_a_complement():
    # [5, 1]: "[c]" is 5 or more, so hiding the 5 alone would pin 1 + 5 = 6. The total goes instead.
    table = suppress([[5, 1]], threshold=5)
    assert table.shown(cell(0, 1)) == "<5"
    assert table.shown(GRAND) == "[c]"
    assert_protected(table, [[5, 1]], 5)


def test_tables_without_totals_only_hide_small_counts():
    rows = [[1], [0], [30], [4], [5]]
    table = suppress(rows, threshold=5, totals=False)
    assert [table.shown(cell(i, 0)) for i in range(5)] == ["<5", "0", "30", "<5", "5"]
    assert table.row_totals is None and table.col_totals is None and not table.has_grand_total


def test_nothing_small_means_nothing_hidden():
    table = suppress([[10, 0, 7], [5, 9, 22]], threshold=5)
    assert not table.marks
    assert table.row_totals == (17, 36) and table.col_totals == (15, 9, 29) and table.grand_total == 53


def test_all_zero_table_publishes_zeros():
    table = suppress([[0, 0], [0, 0]], threshold=5)
    assert not table.marks and table.grand_total == 0


def test_threshold_comes_from_settings(settings):
    settings.DISCLOSURE_THRESHOLD = 10
    assert threshold_default() == 10
    table = suppress([[30, 8, 25]])
    assert table.shown(cell(0, 1)) == "<10"
    assert_protected(table, [[30, 8, 25]], 10)


def test_bad_tables_are_refused():
    for bad in ([], [[]], [[1, 2], [3]], [[-1, 4]], [[1.5]], [[True]]):
        with pytest.raises(ValueError):
            suppress(bad, threshold=5)
    with pytest.raises(ValueError):
        suppress([[1]], threshold=0)


def test_exact_tables_hide_nothing():
    table = exact([[1, 2], [3, 4]])
    assert table.exact and not table.marks
    assert table.shown(cell(0, 0)) == "1" and table.shown(GRAND) == "10"


# --- Exhaustive small tables ------------------------------------------------------


@pytest.mark.parametrize(("threshold", "largest"), [(5, 6), (3, 4)])
def test_every_two_by_two_table_of_small_counts(threshold, largest):
    for values in itertools.product(range(largest + 1), repeat=4):
        rows = [list(values[:2]), list(values[2:])]
        assert_protected(suppress(rows, threshold=threshold), rows, threshold)


def test_every_one_row_table_of_three_counts_up_to_9():
    for values in itertools.product(range(10), repeat=3):
        rows = [list(values)]
        assert_protected(suppress(rows, threshold=5), rows, 5)


# --- Random tables (Hypothesis) ------------------------------------------------------

# Mostly small counts, so that most tables need suppression, some larger ones.
counts = st.one_of(st.integers(0, 5), st.integers(0, 12))


@st.composite
def tables(draw, max_side: int = 4):
    height = draw(st.integers(1, max_side))
    width = draw(st.integers(1, max_side))
    return [[draw(counts) for _ in range(width)] for _ in range(height)]


@PROOF
@given(rows=tables(), threshold=st.sampled_from([2, 3, 5]), totals=st.booleans())
def test_random_tables_no_suppressed_cell_is_recoverable(rows, threshold, totals):
    table = suppress(rows, threshold=threshold, totals=totals)
    if table.withheld:
        assert all(mark == WITHHELD for mark in table.marks.values())
        return
    assert_protected(table, rows, threshold)


# --- Linked tables: children by category, and X by category --------------------------


@st.composite
def linked_tables(draw):
    """Margins, and two or three tables whose columns add up to them."""
    width = draw(st.integers(2, 4))
    first_height = draw(st.integers(2, 3))
    first = [[draw(st.one_of(st.integers(0, 4), st.integers(0, 9))) for _ in range(width)] for _ in range(first_height)]
    margins = [sum(column) for column in zip(*first, strict=True)]
    others = []
    for _ in range(draw(st.integers(1, 2))):
        height = draw(st.integers(1, 3))
        rows = [[0] * width for _ in range(height)]
        for j, total in enumerate(margins):
            for _unit in range(total):
                rows[draw(st.integers(0, height - 1))][j] += 1
        others.append(rows)
    return margins, [first, *others]


def true_value(rows, position) -> int:
    kind = position[0]
    if kind == "cell":
        return rows[position[1]][position[2]]
    if kind == "row":
        return sum(rows[position[1]])
    if kind == "col":
        return sum(row[position[1]] for row in rows)
    return sum(map(sum, rows))


def assert_linked_protected(margins, linked, threshold) -> None:
    top, published = suppress_linked(margins, linked, threshold=threshold)
    tables = [top, *published]
    truths = [[margins], *linked]
    same = {}
    for number in range(1, len(tables)):
        for j in range(len(margins)):
            same[(number, col_total(j))] = (0, cell(0, j))
        same[(number, GRAND)] = (0, GRAND)
    for number, table in enumerate(tables):
        assert not published_counts_safe(table, threshold)
        if number:
            # Every linked table hides exactly the shared totals the margins table hides.
            for j in range(len(margins)):
                assert (table.value(col_total(j)) is None) == (top.value(cell(0, j)) is None) or table.withheld
    cap = 2 * sum(margins) + threshold + 2
    problem = problem_of(tables, threshold=threshold, cap=cap, same=same)
    for var in problem.domains:
        number, position = var
        smallest, largest = value_range(problem, var)
        value = true_value(truths[number], position)
        assert smallest <= value <= largest
        if tables[number].withheld and value == 0:
            continue  # a zero worked out is a zero published: it names nobody
        assert smallest < largest, f"{var} = {value} can be worked out from the linked tables {margins} {linked}"
    # Each table on its own too (implied by the joint check, but cheap to say).
    for number, table in enumerate(tables):
        rows = [margins] if number == 0 else linked[number - 1]
        if not table.withheld:
            alone = problem_of([table], threshold=threshold, cap=cap)
            assert not disclosed(alone), f"table {number} alone gives away a count: {rows}"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(case=linked_tables(), threshold=st.sampled_from([3, 5]))
def test_random_linked_tables_no_suppressed_cell_is_recoverable_from_all_of_them(case, threshold):
    margins, linked = case
    assert_linked_protected(margins, linked, threshold)


def test_linked_tables_by_hand():
    margins = [40, 12, 7, 4]
    linked = [
        [[20, 6, 3, 1], [20, 6, 4, 3]],
        [[40, 12, 7, 4]],
        [[10, 2, 1, 1], [10, 3, 2, 1], [10, 4, 2, 1], [10, 3, 2, 1]],
    ]
    top, published = suppress_linked(margins, linked, threshold=5)
    assert top.shown(cell(0, 3)) == "<5" and top.shown(cell(0, 2)) == "[c]" and top.shown(GRAND) == "63"
    # A one-row linked table is the margins again.
    assert published[1].cells == top.cells and published[1].marks[col_total(3)] == PRIMARY
    # Four children in category 3, one in each row: four "<5" of at least 1 each would pin
    # the "<5" total at 4, so that table is withheld whole.
    assert published[2].withheld
    assert_linked_protected(margins, linked, 5)


def test_linked_tables_must_add_up():
    with pytest.raises(ValueError):
        suppress_linked([3, 4], [[[1, 1], [1, 1]]], threshold=5)


def test_transposed_swaps_rows_and_columns_with_their_marks():
    from hub.reports.disclosure import transposed

    table = suppress([[40, 3, 25, 12]], threshold=5)
    column = transposed(table)
    assert column.cells == ((40,), (None,), (25,), (None,))
    assert column.shown(cell(1, 0)) == "<5" and column.shown(GRAND) == "80"
    assert transposed(column) == table
