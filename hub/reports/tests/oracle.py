"""An independent check of published tables: what can a reader work out?

It shares no code with hub.reports.disclosure. From a published table (or a
set of linked tables) it writes down everything a reader knows as whole-number
variables with bounds and linear equations, then finds by exhaustive search
(bounds propagation and splitting domains in two: exact for whole numbers,
no rounding, no linear programming) the smallest and largest value each hidden
figure can take. A figure with min == max has been disclosed.

Knowledge modelled (the strong reader): published figures; a "<t" figure is 1
to t-1; a "[c]" figure is t or more; a withheld table's figures are 0 or more;
rows add up to row totals, columns to column totals, totals to the grand total.
`weak=True` forgets what the symbols say (every hidden figure just 0 or more),
as a reader who ignores them; its feasible set contains the strong one's.

Hidden figures with no upper bound are capped at `cap` (at least twice the true
grand total plus the threshold). Capping only removes solutions, so a figure
that can still take two values under the cap can take two without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.reports.disclosure import PRIMARY, SECONDARY, WITHHELD, Published

Var = tuple  # (table number, position)


@dataclass
class Problem:
    domains: dict[Var, tuple[int, int]]
    # Each equation: ([(coefficient, variable), ...], constant); sum(coefficient * variable) + constant == 0.
    equations: list[tuple[list[tuple[int, Var]], int]]


def _positions(table: Published) -> list[tuple]:
    height, width = len(table.cells), len(table.cells[0])
    positions = [("cell", i, j) for i in range(height) for j in range(width)]
    if table.row_totals is not None:
        positions += [("row", i) for i in range(height)]
    if table.col_totals is not None:
        positions += [("col", j) for j in range(width)]
    if table.has_grand_total:
        positions.append(("grand",))
    return positions


def _relations(table: Published) -> list[list[tuple[int, tuple]]]:
    """The sums a reader knows hold, as lists of (coefficient, position) adding up to 0."""
    height, width = len(table.cells), len(table.cells[0])
    relations = []
    if table.row_totals is not None:
        for i in range(height):
            relations.append([(1, ("cell", i, j)) for j in range(width)] + [(-1, ("row", i))])
    if table.col_totals is not None:
        for j in range(width):
            relations.append([(1, ("cell", i, j)) for i in range(height)] + [(-1, ("col", j))])
    if table.has_grand_total:
        if table.row_totals is not None:
            relations.append([(1, ("row", i)) for i in range(height)] + [(-1, ("grand",))])
        if table.col_totals is not None:
            relations.append([(1, ("col", j)) for j in range(width)] + [(-1, ("grand",))])
        if table.row_totals is None and table.col_totals is None:
            relations.append([(1, ("cell", i, j)) for i in range(height) for j in range(width)] + [(-1, ("grand",))])
    return relations


def _domain(table: Published, position: tuple, *, threshold: int, cap: int, weak: bool) -> tuple[int, int]:
    mark = table.marks.get(position)
    if weak or mark == WITHHELD:
        return (0, cap)
    if mark == PRIMARY:
        return (1, threshold - 1)
    if mark == SECONDARY:
        return (threshold, cap)
    raise AssertionError(f"unknown mark {mark!r}")


def problem_of(
    tables: Sequence[Published],
    *,
    threshold: int,
    cap: int,
    weak: bool = False,
    same: dict[Var, Var] | None = None,
) -> Problem:
    """The reader's knowledge of `tables` together; `same` names figures that are
    one and the same in two tables (a linked table's column total is the margins' count)."""
    same = same or {}
    domains: dict[Var, tuple[int, int]] = {}
    equations = []

    def name(number: int, position: tuple) -> Var:
        return same.get((number, position), (number, position))

    # A figure published in any table is known in all of them.
    known: dict[Var, int] = {}
    for number, table in enumerate(tables):
        for position in _positions(table):
            value = table.value(position)
            if value is not None:
                assert position not in table.marks, f"{position} is both published and marked"
                known[name(number, position)] = value
            else:
                assert position in table.marks, f"{position} is neither published nor marked"
    for number, table in enumerate(tables):
        for position in _positions(table):
            var = name(number, position)
            if var in known:
                continue
            low, high = _domain(table, position, threshold=threshold, cap=cap, weak=weak)
            if var in domains:
                old = domains[var]
                low, high = max(low, old[0]), min(high, old[1])
            domains[var] = (low, high)
        for relation in _relations(table):
            terms, constant = [], 0
            for coefficient, position in relation:
                var = name(number, position)
                if var in known:
                    constant += coefficient * known[var]
                else:
                    terms.append((coefficient, var))
            equations.append((terms, constant))
    return Problem(domains, equations)


def _propagate(domains: dict[Var, list[int]], equations) -> bool:
    """Narrow each domain to what the equations allow given the others; False if one empties."""
    changed = True
    while changed:
        changed = False
        for terms, constant in equations:
            low_sum, high_sum = constant, constant
            for c, v in terms:
                low, high = domains[v]
                if c > 0:
                    low_sum, high_sum = low_sum + low, high_sum + high
                else:
                    low_sum, high_sum = low_sum - high, high_sum - low
            if low_sum > 0 or high_sum < 0:
                return False
            for coefficient, var in terms:
                low, high = domains[var]
                # What this term must be for the sum to be 0, given the range of the others.
                if coefficient > 0:
                    new_low, new_high = max(low, high - high_sum), min(high, low - low_sum)
                else:
                    new_low, new_high = max(low, low_sum + high), min(high, high_sum + low)
                if new_low > new_high:
                    return False
                if new_low != low or new_high != high:
                    domains[var] = [new_low, new_high]
                    changed = True
                    if coefficient > 0:
                        low_sum, high_sum = low_sum + new_low - low, high_sum + new_high - high
                    else:
                        low_sum, high_sum = low_sum - new_high + high, high_sum - new_low + low
    return True


def feasible(problem: Problem, restrict: dict[Var, tuple[int, int]] | None = None) -> bool:
    """Whether whole numbers within the domains (narrowed by `restrict`) satisfy every equation."""
    domains = {var: list(bounds) for var, bounds in problem.domains.items()}
    for var, (low, high) in (restrict or {}).items():
        domains[var] = [max(domains[var][0], low), min(domains[var][1], high)]
        if domains[var][0] > domains[var][1]:
            return False
    return _search(domains, problem.equations)


def _search(domains: dict[Var, list[int]], equations) -> bool:
    if not _propagate(domains, equations):
        return False
    open_vars = [var for var, (low, high) in domains.items() if low < high]
    if not open_vars:
        return True
    var = min(open_vars, key=lambda v: domains[v][1] - domains[v][0])
    low, high = domains[var]
    middle = (low + high) // 2
    for part in ((low, middle), (middle + 1, high)):
        trial = {v: list(bounds) for v, bounds in domains.items()}
        trial[var] = list(part)
        if _search(trial, equations):
            return True
    return False


def value_range(problem: Problem, var: Var) -> tuple[int, int]:
    """The smallest and largest value `var` takes over every solution (binary
    search on "some solution has var <= m", which only needs that predicate to
    be monotone, not the solutions to be an interval)."""
    low, high = problem.domains[var]
    assert feasible(problem), "the reader's knowledge has no solution at all: the published table is inconsistent"
    lo, hi = low, high
    while lo < hi:
        middle = (lo + hi) // 2
        if feasible(problem, {var: (low, middle)}):
            hi = middle
        else:
            lo = middle + 1
    smallest = lo
    lo, hi = low, high
    while lo < hi:
        middle = (lo + hi + 1) // 2
        if feasible(problem, {var: (middle, high)}):
            lo = middle
        else:
            hi = middle - 1
    return smallest, lo


def disclosed(problem: Problem) -> dict[Var, int]:
    """Hidden figures a reader can work out exactly, with their values."""
    found = {}
    for var in problem.domains:
        smallest, largest = value_range(problem, var)
        if smallest == largest:
            found[var] = smallest
    return found


def published_counts_safe(table: Published, threshold: int) -> list[tuple]:
    """Published figures that should have been hidden (from 1 to threshold - 1)."""
    return [
        position
        for position in _positions(table)
        if table.value(position) is not None and 0 < table.value(position) < threshold
    ]
