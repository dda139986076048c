"""Statistical disclosure control for tables of counts: what an analyst may see.

Primary suppression hides every count from 1 to threshold - 1 (by default 1 to
4, shown "<5"). Secondary suppression then hides other counts (shown "[c]")
until no hidden count can be worked out from what is published.

What a reader of a published table knows (the attacker this protects against):

- every published count and total, and that the cells add up to the totals;
- that a count shown "<5" is one of 1, 2, 3 or 4 (the symbol says so);
- that a count shown "[c]" is 5 or more: complements are only ever chosen
  among published counts of at least the threshold, never among zeros;
- that counts are whole numbers, 0 or more.

A hidden count is *protected* when at least two values of it fit all of that
knowledge. Zeros are published: a zero says nobody is in that group, which
names no child, and hiding zeros would protect nothing the rules above do not
(a "<5" already says "not zero"). Zeros are never used as complements, which is
what lets "[c]" promise "5 or more" without giving a hidden value away.

The method is exact, not a rule of thumb. A table with its totals is a
network: a node per row, per column, and two for the grand total; an edge per
cell (row -> column), per column total (column -> T1), for the grand total
(T1 -> T2) and per row total (T2 -> row). The true table is a circulation in
it: what flows into a node flows out. Another table fits everything published
exactly when it is another such circulation within each edge's bounds
(published: its value; "<5": 1 to threshold - 1; "[c]": threshold or more;
totals that are not published: 0 or more). Two tables that fit differ by a
circulation, which breaks into unit cycles that each fit on their own, so a
hidden count can take another value **if and only if** a cycle through its
edge exists in the residual graph (an edge can carry one more unit while below
its upper bound, one less while above its lower bound). The matrix of a
network is totally unimodular, so the integer question and the linear one
agree. Each unprotected hidden count is given such a cycle along the cheapest
path of published counts (the smallest counts first; totals only when cells
cannot do it; the grand total last of all), and hiding only ever adds cycles,
so protection once given is never lost.

Tables linked by shared totals (every "X by category" table shares the
category totals and the number of children with the table of children by
category) are protected together by `suppress_linked`: see there.

Pure functions over lists of ints: nothing here touches the database.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings

# Where a figure sits in a table: ("cell", row, column), ("row", row) for a row
# total, ("col", column) for a column total, ("grand",) for the grand total.
Position = tuple

PRIMARY = "primary"  # a count from 1 to threshold - 1: shown "<threshold"
SECONDARY = "secondary"  # hidden so that a primary one cannot be worked out: shown "[c]"
WITHHELD = "withheld"  # the whole table is withheld: nothing in it could be protected
SECONDARY_SYMBOL = "[c]"

GRAND: Position = ("grand",)

# Internal states of an edge of the network.
_PUBLISHED = "published"
_FREE = "free"  # a total the table does not publish: only known to be 0 or more
# What hiding a published count costs: the smallest cells first, totals only when
# cells cannot do it, the grand total (the number of children) last of all.
_ROW_TOTAL_COST = 10**6
_GRAND_TOTAL_COST = 10**9


def cell(row: int, column: int) -> Position:
    return ("cell", row, column)


def row_total(row: int) -> Position:
    return ("row", row)


def col_total(column: int) -> Position:
    return ("col", column)


def threshold_default() -> int:
    return int(getattr(settings, "DISCLOSURE_THRESHOLD", 5))


# --- The published table ------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """A table as it may be shown: counts where published, None where hidden.

    A table of one row or one column publishes only its grand total beside the
    counts (its other totals would repeat the counts); a table with more of both
    publishes row totals, column totals and the grand total; a table made
    without totals publishes none. `threshold` is None for exact counts."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...] | None
    col_totals: tuple[int | None, ...] | None
    grand_total: int | None
    has_grand_total: bool
    marks: Mapping[Position, str] = field(default_factory=dict)
    threshold: int | None = None
    withheld: bool = False

    @property
    def exact(self) -> bool:
        return self.threshold is None

    @property
    def suppressed_count(self) -> int:
        return len(self.marks)

    def value(self, position: Position) -> int | None:
        kind = position[0]
        if kind == "cell":
            return self.cells[position[1]][position[2]]
        if kind == "row":
            return None if self.row_totals is None else self.row_totals[position[1]]
        if kind == "col":
            return None if self.col_totals is None else self.col_totals[position[1]]
        return self.grand_total

    def mark(self, position: Position) -> str | None:
        return self.marks.get(position)

    def shown(self, position: Position) -> str:
        """The figure as text: "12", "<5", "[c]" ("" in a withheld table)."""
        mark = self.marks.get(position)
        if mark == PRIMARY:
            return f"<{self.threshold}"
        if mark == SECONDARY:
            return SECONDARY_SYMBOL
        if mark == WITHHELD:
            return ""
        value = self.value(position)
        return "" if value is None else str(value)


def exact(table: Sequence[Sequence[int]], *, totals: bool = True) -> Published:
    """The table with its totals, nothing hidden (for the hub's own use)."""
    rows = [list(row) for row in table]
    _check(rows)
    shape = _shape(rows, totals)
    return Published(
        cells=tuple(tuple(row) for row in rows),
        row_totals=tuple(sum(row) for row in rows) if shape.row_totals else None,
        col_totals=tuple(sum(column) for column in zip(*rows, strict=True)) if shape.col_totals else None,
        grand_total=sum(map(sum, rows)) if shape.grand else None,
        has_grand_total=shape.grand,
    )


def transposed(table: Published) -> Published:
    """The same table with rows and columns swapped (a one-row table shown as a column)."""

    def swap(position: Position) -> Position:
        kind = position[0]
        if kind == "cell":
            return cell(position[2], position[1])
        if kind == "row":
            return col_total(position[1])
        if kind == "col":
            return row_total(position[1])
        return position

    return Published(
        cells=tuple(zip(*table.cells, strict=True)),
        row_totals=table.col_totals,
        col_totals=table.row_totals,
        grand_total=table.grand_total,
        has_grand_total=table.has_grand_total,
        marks={swap(position): mark for position, mark in table.marks.items()},
        threshold=table.threshold,
        withheld=table.withheld,
    )


# --- The network --------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    row_totals: bool
    col_totals: bool
    grand: bool


def _shape(rows: list[list[int]], totals: bool) -> _Shape:
    if not totals:
        return _Shape(False, False, False)
    height, width = len(rows), len(rows[0])
    # One row: the column totals are the counts themselves and the row total is the
    # grand total. One column: the same the other way round.
    return _Shape(row_totals=height > 1 and width > 1, col_totals=height > 1 and width > 1, grand=True)


def _check(rows: list[list[int]]) -> None:
    if not rows or not rows[0]:
        raise ValueError("A table needs at least one row and one column.")
    width = len(rows[0])
    for row in rows:
        if len(row) != width:
            raise ValueError("Every row of a table must have the same number of counts.")
        for value in row:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Counts are whole numbers, 0 or more, not {value!r}.")


class _Edge:
    __slots__ = ("position", "tail", "head", "value", "state", "local", "cost")

    def __init__(self, position: Position, tail, head, value: int, state: str, *, local: bool, cost: int) -> None:
        self.position = position
        self.tail = tail
        self.head = head
        self.value = value
        self.state = state
        # Not local: a total shared with linked tables, fixed by them; this table
        # never hides it and never moves it on its own.
        self.local = local
        self.cost = cost

    @property
    def hidden(self) -> bool:
        return self.state in (PRIMARY, SECONDARY)

    def can_rise(self, threshold: int) -> bool:
        if self.state == PRIMARY:
            return self.value < threshold - 1
        return self.state in (SECONDARY, _FREE)

    def can_fall(self, threshold: int) -> bool:
        if self.state == PRIMARY:
            return self.value > 1
        if self.state == SECONDARY:
            return self.value > threshold
        return self.state == _FREE and self.value > 0

    def candidate(self, threshold: int) -> bool:
        """A published count that may be hidden as a complement."""
        return self.local and self.state == _PUBLISHED and self.value >= threshold


def _cost(steps: list) -> int:
    """What hiding the published counts along a path would cost."""
    return sum(edge.cost for edge, _ in steps if edge is not None and edge.state == _PUBLISHED)


class _Network:
    """One table as a network of its cells and totals (see the module's notes)."""

    def __init__(self, rows: list[list[int]], shape: _Shape, threshold: int, *, shared: bool = False) -> None:
        self.threshold = threshold
        self.height, self.width = len(rows), len(rows[0])
        self.shape = shape
        self.edges: dict[Position, _Edge] = {}
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                self._add(cell(i, j), ("R", i), ("C", j), value, True, local=True, cost=value)
        for i, row in enumerate(rows):
            self._add(
                row_total(i), "T2", ("R", i), sum(row), shape.row_totals, local=True, cost=_ROW_TOTAL_COST + sum(row)
            )
        columns = [sum(column) for column in zip(*rows, strict=True)]
        for j, value in enumerate(columns):
            self._add(col_total(j), ("C", j), "T1", value, shape.col_totals, local=not shared, cost=_ROW_TOTAL_COST)
        self._add(GRAND, "T1", "T2", sum(columns), shape.grand, local=not shared, cost=_GRAND_TOTAL_COST)
        self.moves: list[tuple[object, object]] = []  # (from node, to node) of agreed moves of shared totals
        self._adjacency: dict[object, list[tuple[_Edge, int, object]]] = {}
        for edge in self.edges.values():
            self._adjacency.setdefault(edge.tail, []).append((edge, 1, edge.head))
            self._adjacency.setdefault(edge.head, []).append((edge, -1, edge.tail))

    def _add(self, position: Position, tail, head, value: int, published: bool, *, local: bool, cost: int) -> None:
        state = _FREE
        if published:
            state = PRIMARY if 0 < value < self.threshold else _PUBLISHED
        self.edges[position] = _Edge(position, tail, head, value, state, local=local, cost=cost)

    # -- Paths in the residual graph --

    def _arcs(self, node, skip: _Edge, hide: bool):
        threshold = self.threshold
        for edge, direction, other in self._adjacency.get(node, ()):
            if edge is skip or not edge.local:
                continue
            if edge.state in (PRIMARY, SECONDARY, _FREE):
                if edge.can_rise(threshold) if direction == 1 else edge.can_fall(threshold):
                    yield other, edge, direction, 0
            elif hide and edge.candidate(threshold) and (direction == 1 or edge.value > threshold):
                # Once hidden as "[c]" it may rise freely, and fall while above the threshold.
                yield other, edge, direction, edge.cost

    def path(self, source, target, *, skip: _Edge | None = None, hide: bool, moves: bool = True) -> list | None:
        """The cheapest path from `source` to `target` in the residual graph, as
        [(edge or None, direction), ...]; None if there is none. With `hide`,
        published counts may be used at their cost (they are then to be hidden).
        With `moves`, at most one agreed move of the shared totals may be used."""
        start = (source, False)
        best = {start: (0, 0)}
        back: dict = {}
        order = itertools.count()
        heap = [(0, 0, next(order), start)]
        while heap:
            cost, hops, _, state = heapq.heappop(heap)
            if best.get(state, (cost, hops)) < (cost, hops):
                continue
            node, moved = state
            if node == target:
                steps = []
                while state != start:
                    state, edge, direction = back[state]
                    steps.append((edge, direction))
                return steps[::-1]
            steps_from = [
                (other, edge, direction, step, moved) for other, edge, direction, step in self._arcs(node, skip, hide)
            ]
            if moves and not moved:
                steps_from += [(other, None, 0, 0, True) for origin, other in self.moves if origin == node]
            for other, edge, direction, step, used in steps_from:
                following = (other, used)
                score = (cost + step, hops + 1)
                if following not in best or score < best[following]:
                    best[following] = score
                    back[following] = (state, edge, direction)
                    heapq.heappush(heap, (score[0], score[1], next(order), following))
        return None

    def cycle(self, edge: _Edge, *, hide: bool) -> tuple[list, dict[_Edge, int]] | None:
        """The cheapest cycle through `edge`, and the change it makes to each edge
        (`edge` itself moves by one); None if `edge` cannot move at all."""
        options = []
        for sign, can, source, target in (
            (1, edge.can_rise, edge.head, edge.tail),
            (-1, edge.can_fall, edge.tail, edge.head),
        ):
            if not can(self.threshold):
                continue
            found = self.path(source, target, skip=edge, hide=hide)
            if found is None:
                continue
            changes = self._changes(found)
            changes[edge] = sign
            if self._fits(changes):
                options.append((found, changes))
        if not options:
            return None
        return min(options, key=lambda option: (_cost(option[0]), len(option[0])))

    @staticmethod
    def _changes(steps: list) -> dict[_Edge, int]:
        changes: dict[_Edge, int] = {}
        for step_edge, direction in steps:
            if step_edge is not None:
                changes[step_edge] = changes.get(step_edge, 0) + direction
        return changes

    def _fits(self, changes: dict[_Edge, int]) -> bool:
        """Whether every edge stays within its bounds after the changes (counts to be
        hidden with their "[c]" bounds). A path through the agreed moves may pass a
        node twice; then an edge could be asked to move by two."""
        threshold = self.threshold
        for changed, change in changes.items():
            state = SECONDARY if changed.state == _PUBLISHED else changed.state
            if change == 0:
                continue
            if changed.state == _PUBLISHED and not changed.candidate(threshold):
                return False
            new = changed.value + change
            if state == PRIMARY and not 1 <= new <= threshold - 1:
                return False
            if state == SECONDARY and new < threshold:
                return False
            if state == _FREE and new < 0:
                return False
        return True

    def hide_along(self, steps: list) -> None:
        for edge, _ in steps:
            if edge is not None and edge.state == _PUBLISHED:
                edge.state = SECONDARY

    def protect_all(self) -> bool:
        """Give every hidden local count a cycle; False if one cannot have any."""
        protected: set[Position] = set()
        while True:
            waiting = sorted(
                (e for e in self.edges.values() if e.local and e.hidden and e.position not in protected),
                key=lambda e: (e.state != PRIMARY, e.position),
            )
            if not waiting:
                return True
            edge = waiting[0]
            found = self.cycle(edge, hide=True)
            if found is None:
                return False
            steps, changes = found
            self.hide_along(steps)
            # Everything the cycle moves can take another value: all of it is protected.
            protected.update(changed.position for changed, change in changes.items() if change)

    def published(self, *, withheld: bool = False) -> Published:
        shape = self.shape

        def figure(position: Position) -> int | None:
            edge = self.edges[position]
            return None if withheld or edge.hidden else edge.value

        def mark(position: Position) -> str | None:
            if withheld:
                return WITHHELD
            state = self.edges[position].state
            return state if state in (PRIMARY, SECONDARY) else None

        positions = [cell(i, j) for i in range(self.height) for j in range(self.width)]
        if shape.row_totals:
            positions += [row_total(i) for i in range(self.height)]
        if shape.col_totals:
            positions += [col_total(j) for j in range(self.width)]
        if shape.grand:
            positions.append(GRAND)
        marks = {position: mark(position) for position in positions if mark(position)}
        return Published(
            cells=tuple(tuple(figure(cell(i, j)) for j in range(self.width)) for i in range(self.height)),
            row_totals=tuple(figure(row_total(i)) for i in range(self.height)) if shape.row_totals else None,
            col_totals=tuple(figure(col_total(j)) for j in range(self.width)) if shape.col_totals else None,
            grand_total=figure(GRAND) if shape.grand else None,
            has_grand_total=shape.grand,
            marks=marks,
            threshold=self.threshold,
            withheld=withheld,
        )


def _threshold(threshold: int | None) -> int:
    value = threshold_default() if threshold is None else threshold
    if not isinstance(value, int) or value < 1:
        raise ValueError("The disclosure threshold must be a whole number, 1 or more.")
    return value


def suppress(table: Sequence[Sequence[int]], *, threshold: int | None = None, totals: bool = True) -> Published:
    """The table as an analyst may see it: counts from 1 to threshold - 1 hidden
    ("<5"), and enough others ("[c]") that no hidden count can be worked out from
    the published counts and totals. `totals=False` for a table whose rows do not
    add up to anything (the same child counted in several rows): then only the
    small counts are hidden. A table that cannot be protected at all (rare:
    tiny tables) is withheld whole."""
    threshold = _threshold(threshold)
    rows = [list(row) for row in table]
    _check(rows)
    network = _Network(rows, _shape(rows, totals), threshold)
    if not network.protect_all():
        return network.published(withheld=True)
    return network.published()


# --- Linked tables --------------------------------------------------------------


def suppress_linked(
    margins: Sequence[int], tables: Iterable[Sequence[Sequence[int]]], *, threshold: int | None = None
) -> tuple[Published, list[Published]]:
    """A one-row table of `margins` (children by category, with the number of
    children) and tables whose columns add up to those margins (children by age
    band and category, by gender and category, ...), protected together.

    A reader may put all of them together. So:

    1. The margins table is protected first; which category totals (and whether
       the grand total) are hidden is decided there, and every linked table
       shows exactly the same totals hidden.
    2. A hidden shared total must be able to change *in every table at once*.
       For each, one *move* is agreed (one unit from one hidden total to another,
       or a total and the grand total together) and every linked table is given
       a path of hidden counts that can absorb it; a table that cannot (its
       counts pin the totals down) is withheld whole.
    3. Each linked table then protects its own hidden counts with cycles that
       either leave the shared totals alone or move them by an agreed move,
       which every other table can follow.

    Returns the published margins table and the published linked tables."""
    threshold = _threshold(threshold)
    margin_rows = [list(margins)]
    _check(margin_rows)
    linked = [[list(row) for row in table] for table in tables]
    for rows in linked:
        _check(rows)
        if [sum(column) for column in zip(*rows, strict=True)] != margin_rows[0]:
            raise ValueError("The columns of a linked table must add up to the margins.")
    top = _Network(margin_rows, _shape(margin_rows, True), threshold)
    if not top.protect_all():
        return top.published(withheld=True), [_withheld(rows, threshold) for rows in linked]
    margins_published = top.published()
    # A linked table of one row is the margins again: it shows what they show.
    networks: dict[int, _Network] = {}
    for number, rows in enumerate(linked):
        if len(rows) == 1:
            continue
        network = _Network(rows, _Shape(len(rows[0]) > 1, True, True), threshold, shared=True)
        for j in range(len(margin_rows[0])):
            network.edges[col_total(j)].state = top.edges[cell(0, j)].state
        network.edges[GRAND].state = top.edges[GRAND].state
        networks[number] = network
    withheld: set[int] = set()
    for move in _agreed_moves(top, networks, withheld):
        for number, network in networks.items():
            if number not in withheld:
                network.moves.append(move)
    published = []
    for number in range(len(linked)):
        network = networks.get(number)
        if network is None:
            published.append(_mirror(margins_published))
        elif number in withheld or not network.protect_all():
            published.append(network.published(withheld=True))
        else:
            published.append(network.published())
    return margins_published, published


def _mirror(margins: Published) -> Published:
    """A one-row linked table: its counts and column totals are the margins, its row total the grand total."""
    marks: dict[Position, str] = {}
    for (kind, *where), value in margins.marks.items():
        if kind == "cell":
            marks[cell(0, where[1])] = marks[col_total(where[1])] = value
        else:
            marks[row_total(0)] = marks[GRAND] = value
    return Published(
        cells=margins.cells,
        row_totals=(margins.grand_total,),
        col_totals=margins.cells[0],
        grand_total=margins.grand_total,
        has_grand_total=True,
        marks=marks,
        threshold=margins.threshold,
        withheld=margins.withheld,
    )


def _withheld(rows: list[list[int]], threshold: int) -> Published:
    return _Network(rows, _Shape(True, True, True), threshold, shared=True).published(withheld=True)


def _move_ends(changes: dict[Position, int]) -> tuple[object, object]:
    """The nodes a move of shared totals goes from and to, in a linked table's
    network: a table absorbs the move with a path of its own back the other way."""
    balance: dict[object, int] = {}
    for position, sign in changes.items():
        # The grand total is the edge T1 -> T2, a column total C_j -> T1.
        tail, head = ("T1", "T2") if position == GRAND else (("C", position[1]), "T1")
        start, end = (tail, head) if sign > 0 else (head, tail)
        balance[start] = balance.get(start, 0) + 1
        balance[end] = balance.get(end, 0) - 1
    origin = next(node for node, value in balance.items() if value == 1)
    destination = next(node for node, value in balance.items() if value == -1)
    return origin, destination


def _candidate_moves(top: _Network, position: Position) -> list[dict[Position, int]]:
    """Moves of one unit between hidden shared totals that the margins table allows, involving `position`."""
    threshold = top.threshold
    hidden = [p for p in [cell(0, j) for j in range(top.width)] + [GRAND] if top.edges[p].hidden]

    def shared(p: Position) -> Position:
        return GRAND if p == GRAND else col_total(p[2])

    moves = []
    mine = top.edges[position]
    for other_position in hidden:
        if other_position == position:
            continue
        other = top.edges[other_position]
        # A category total and the number of children rise or fall together; two category totals trade.
        pairs = [(1, 1), (-1, -1)] if GRAND in (position, other_position) else [(1, -1), (-1, 1)]
        for mine_sign, other_sign in pairs:
            mine_ok = mine.can_rise(threshold) if mine_sign > 0 else mine.can_fall(threshold)
            other_ok = other.can_rise(threshold) if other_sign > 0 else other.can_fall(threshold)
            if mine_ok and other_ok:
                moves.append({shared(position): mine_sign, shared(other_position): other_sign})
    return moves


def _agreed_moves(top: _Network, networks: dict[int, _Network], withheld: set[int]) -> list[tuple[object, object]]:
    """For each hidden shared total, a move every linked table can absorb (tables
    that cannot absorb any are added to `withheld`); each absorbing path is hidden."""
    agreed: list[tuple[dict[Position, int], tuple[object, object]]] = []
    for position in [cell(0, j) for j in range(top.width)] + [GRAND]:
        if not top.edges[position].hidden:
            continue
        key = GRAND if position == GRAND else col_total(position[2])
        if any(key in changes for changes, _ in agreed):
            continue
        best = None
        for changes in _candidate_moves(top, position):
            origin, destination = _move_ends(changes)
            paths = {}
            for number, network in networks.items():
                if number in withheld:
                    continue
                # The table absorbs the move with a path from where it ends back to where it starts.
                found = network.path(destination, origin, hide=True, moves=False)
                if found is not None:
                    paths[number] = found
            cost = sum(_cost(found) for found in paths.values())
            score = (-len(paths), cost)
            if best is None or score < best[0]:
                best = (score, changes, (origin, destination), paths)
        if best is None:
            # No move at all (cannot happen when the margins table protected this total).
            withheld.update(networks)
            continue
        _, changes, ends, paths = best
        for number, network in networks.items():
            if number in withheld:
                continue
            if number in paths:
                network.hide_along(paths[number])
            else:
                withheld.add(number)
        agreed.append((changes, ends))
    return [ends for _, ends in agreed]
