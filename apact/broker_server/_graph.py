"""The network of who consumes whom, laid out on the server for an SVG drawing.

Plain layers, no JavaScript: a pacticipant that consumes and is consumed by no one in a
cycle sits one column right of its rightmost consumer, so arrows point right; the rows
of a column are in name order. A cycle's back edges are drawn as curves.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._pages_data import LINKS, Edge, Status

NODE_WIDTH = 190
NODE_HEIGHT = 40
COLUMN_GAP = 110
ROW_GAP = 30
MARGIN = 20
#: longer names are cut in the box; the whole name is its tooltip and in the table
MAX_LABEL = 20


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    label: str
    x: int
    y: int
    url: str
    focus: bool


@dataclass(frozen=True, slots=True)
class Line:
    consumer: str
    provider: str
    status: Status
    #: the SVG path of the arrow
    d: str


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: list[Node]
    lines: list[Line]
    width: int
    height: int


def _columns(edges: list[Edge]) -> dict[str, int]:
    names = sorted({e.consumer for e in edges} | {e.provider for e in edges}, key=str.lower)
    column = dict.fromkeys(names, 0)
    for _ in range(len(names)):  # longest path, at most len(names) rounds: cycles stop growing
        changed = False
        for edge in edges:
            if edge.consumer != edge.provider and column[edge.provider] < column[edge.consumer] + 1 < len(names):
                column[edge.provider] = column[edge.consumer] + 1
                changed = True
        if not changed:
            break
    return column


def layout(edges: list[Edge], focus: str | None = None) -> Graph:
    column = _columns(edges)
    rows: dict[int, list[str]] = {}
    for name in column:
        rows.setdefault(column[name], []).append(name)
    nodes: dict[str, Node] = {}
    for number, names in rows.items():
        for row, name in enumerate(names):
            label = name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"
            x = MARGIN + number * (NODE_WIDTH + COLUMN_GAP)
            y = MARGIN + row * (NODE_HEIGHT + ROW_GAP)
            nodes[name] = Node(name, label, x, y, LINKS.pacticipant(name), name == focus)
    lines = []
    for edge in edges:
        start, end = nodes[edge.consumer], nodes[edge.provider]
        if end.x > start.x:
            x1, y1 = start.x + NODE_WIDTH, start.y + NODE_HEIGHT // 2
            x2, y2 = end.x - 6, end.y + NODE_HEIGHT // 2
            middle = (x1 + x2) // 2
            d = f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}"
        else:  # a cycle, or a pacticipant of its own: loop below the boxes
            x1, y1 = start.x + NODE_WIDTH // 2 - 20, start.y + NODE_HEIGHT
            x2, y2 = end.x + NODE_WIDTH // 2 + 20, end.y + NODE_HEIGHT + 6
            low = max(y1, y2) + NODE_HEIGHT
            d = f"M{x1},{y1} C{x1},{low} {x2},{low} {x2},{y2}"
        lines.append(Line(edge.consumer, edge.provider, edge.status, d))
    width = MARGIN * 2 + (max(rows, default=0) + 1) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP
    height = (
        MARGIN * 2 + max((len(names) for names in rows.values()), default=1) * (NODE_HEIGHT + ROW_GAP) + NODE_HEIGHT
    )
    return Graph(list(nodes.values()), lines, width, height)
