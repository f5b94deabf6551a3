"""The entity graph as inline SVG: people and organisations on a circle, the events and relations linking them as edges.

The layout is computed here, not by a JavaScript library: nodes sit on a circle
in (type, name) order, so the same run always draws the same picture and the
page needs nothing from the network.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from newsx.schemas.records import EVENT_KEYS, RELATION_KEYS, EntityRef, EventBase, RelationBase

from .describe import entity_refs, short_type

GRAPH_TYPES = ("PERSON", "ORG")
PERSON_ROLES = frozenset({"person", "founders", "predecessor"})  # the type of a ref no document typed
MAX_NODES = 80
LABEL_SPACE = 175.0
MAX_LABEL_CHARACTERS = 24


@dataclass
class Node:
    key: str
    name: str
    type: str
    degree: int = 0


@dataclass
class Edge:
    kinds: Counter[str] = field(default_factory=Counter)


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)


def _node_key(ref: EntityRef) -> str:
    return ref.entity_id or f"name:{ref.name}"


def _add_link(graph: Graph, entity_types: dict[str, str], ends: list[tuple[str, EntityRef]], kind: str) -> None:
    """Link the first entity of `ends` to each of the others, when both are people or organisations."""
    typed = []
    for role, ref in ends:
        entity_type = entity_types.get(ref.entity_id or "", "PERSON" if role in PERSON_ROLES else "ORG")
        if entity_type in GRAPH_TYPES:
            typed.append((ref, entity_type))
    if len(typed) < 2:
        return
    (hub, hub_type), others = typed[0], typed[1:]
    for ref, entity_type in others:
        if _node_key(ref) == _node_key(hub):
            continue
        for node_ref, node_type in ((hub, hub_type), (ref, entity_type)):
            graph.nodes.setdefault(_node_key(node_ref), Node(_node_key(node_ref), node_ref.name, node_type)).degree += 1
        pair = tuple(sorted((_node_key(hub), _node_key(ref))))
        graph.edges.setdefault(pair, Edge()).kinds[kind] += 1  # type: ignore[index]


def build_graph(events: list[EventBase], relations: list[RelationBase], entity_types: dict[str, str]) -> Graph:
    """Every relation links its two arguments; every event links its first identifying argument to the others."""
    graph = Graph()
    for relation in relations:
        first, second = RELATION_KEYS[relation.type]
        ends = [(role, getattr(relation.arguments, role)) for role in (first, second)]
        _add_link(graph, entity_types, ends, relation.type)
    for event in events:
        refs = entity_refs(event.arguments)
        hub_role = EVENT_KEYS[event.type][0]
        ordered = [item for item in refs if item[0] == hub_role] + [item for item in refs if item[0] != hub_role]
        _add_link(graph, entity_types, ordered, short_type(event.type))
    return graph


def _drawn_nodes(graph: Graph) -> list[Node]:
    """The best-connected MAX_NODES nodes, in circle order: people then organisations, by name."""
    kept = sorted(graph.nodes.values(), key=lambda node: (-node.degree, node.name.casefold(), node.key))[:MAX_NODES]
    return sorted(kept, key=lambda node: (GRAPH_TYPES.index(node.type), node.name.casefold(), node.key))


def _edge_class(kinds: Counter[str]) -> str:
    """Relations keep their own colour; every event kind draws as an event edge."""
    kind = min(kinds, key=lambda name: (-kinds[name], name))
    return f"edge-{kind}" if kind in RELATION_KEYS else "edge-event"


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL_CHARACTERS else name[: MAX_LABEL_CHARACTERS - 1] + "…"


def render_svg(graph: Graph) -> str:
    """The graph as an <svg> element, or a note when nothing links two people or organisations."""
    nodes = _drawn_nodes(graph)
    if not nodes:
        return '<p class="empty">No event or relation links two people or organisations.</p>'
    radius = max(240.0, 4.5 * len(nodes))
    center = radius + LABEL_SPACE
    size = round(2 * center)
    place: dict[str, tuple[float, float, float]] = {}
    for index, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * index / len(nodes)
        place[node.key] = (center + radius * math.cos(angle), center + radius * math.sin(angle), angle)
    index_of = {node.key: index for index, node in enumerate(nodes)}
    parts = [
        f'<svg class="graph" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        'role="img" aria-label="entity graph">'
    ]
    for (a, b), edge in sorted(graph.edges.items()):
        if a not in place or b not in place:
            continue
        (x1, y1, _), (x2, y2, _) = place[a], place[b]
        cx, cy = center + ((x1 + x2) / 2 - center) * 0.35, center + ((y1 + y2) / 2 - center) * 0.35
        width = 1.0 + 0.8 * min(4, sum(edge.kinds.values()) - 1)
        kinds = ", ".join(f"{kind} ×{count}" for kind, count in sorted(edge.kinds.items()))
        title = f"{graph.nodes[a].name} — {graph.nodes[b].name}: {kinds}"
        parts.append(
            f'<path class="edge {_edge_class(edge.kinds)}" data-a="n{index_of[a]}" data-b="n{index_of[b]}" '
            f'd="M{x1:.1f} {y1:.1f} Q{cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}" stroke-width="{width:.1f}">'
            f"<title>{escape(title)}</title></path>"
        )
    for node in nodes:
        x, y, angle = place[node.key]
        degrees = math.degrees(angle)
        right = math.cos(angle) >= -1e-9
        lx, ly = center + (radius + 12) * math.cos(angle), center + (radius + 12) * math.sin(angle)
        rotation = degrees if right else degrees + 180
        node_radius = 4.0 + min(6.0, 1.5 * math.sqrt(node.degree))
        parts.append(
            f'<a href="#events" class="graph-node node-{node.type}" data-node="n{index_of[node.key]}" data-entity="{escape(node.name)}">'
            f"<title>{escape(node.name)} ({node.type}, {node.degree} links): click to filter the events</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_radius:.1f}"></circle>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" dy="0.35em" text-anchor="{"start" if right else "end"}" '
            f'transform="rotate({rotation:.1f} {lx:.1f} {ly:.1f})">{escape(_label(node.name))}</text></a>'
        )
    parts.append("</svg>")
    hidden = len(graph.nodes) - len(nodes)
    note = f'<p class="note">{hidden} less connected entities are not drawn.</p>' if hidden else ""
    return "".join(parts) + note
