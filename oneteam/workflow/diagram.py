"""A flow's state diagram as SVG, drawn server-side from the declaration
(no JavaScript, no CDN): states in layers by distance from the initial state,
forward actions as straight arrows, backward and same-layer actions as curves,
actions that keep the state as loops."""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import escape

from .declare import Flow

NODE_W, NODE_H = 150, 42
GAP_X, GAP_Y = 230, 90
MARGIN = 60


def layers(flow: Flow) -> dict[str, int]:
    """Layer of each state: BFS distance from the initial state (unreachable
    states go after the last layer)."""
    depth = {flow.initial: 0}
    frontier = [flow.initial]
    while frontier:
        nxt = []
        for s in frontier:
            for a in flow.actions_from(s):
                if a.target not in depth:
                    depth[a.target] = depth[s] + 1
                    nxt.append(a.target)
        frontier = nxt
    last = max(depth.values(), default=0) + 1
    for s in flow.states:
        depth.setdefault(s.name, last)
    return depth


def svg(flow: Flow, *, highlight: str | None = None) -> str:
    depth = layers(flow)
    columns: dict[int, list[str]] = defaultdict(list)
    for s in flow.states:
        columns[depth[s.name]].append(s.name)
    pos: dict[str, tuple[float, float]] = {}
    tallest = max(len(c) for c in columns.values())
    for layer, names in columns.items():
        offset = (tallest - len(names)) * GAP_Y / 2
        for i, name in enumerate(names):
            pos[name] = (MARGIN + layer * GAP_X, MARGIN + offset + i * GAP_Y)
    width = MARGIN * 2 + max(columns) * GAP_X + NODE_W
    height = MARGIN * 2 + (tallest - 1) * GAP_Y + NODE_H

    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in flow.actions:
        for src in a.source:
            edges[(src, a.target)].append(str(a.label))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(str(flow.label))}" '
        'class="flow-diagram" font-family="sans-serif">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5d6b7a"/></marker></defs>',
    ]
    label_style = (
        'font-size="11" fill="#1d2733" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke"'
    )
    for i, ((src, dst), labels) in enumerate(sorted(edges.items())):
        text = escape(" / ".join(labels))
        x1, y1 = pos[src]
        x2, y2 = pos[dst]
        if src == dst:  # loop above the node
            cx = x1 + NODE_W / 2
            d = f"M{cx - 25},{y1} C{cx - 40},{y1 - 45} {cx + 40},{y1 - 45} {cx + 25},{y1}"
            lx, ly = cx, y1 - 38
        elif depth[dst] > depth[src]:  # forward
            sx, sy = x1 + NODE_W, y1 + NODE_H / 2
            ex, ey = x2, y2 + NODE_H / 2
            d = f"M{sx},{sy} L{ex},{ey}"
            lx, ly = (sx + ex) / 2, (sy + ey) / 2 - 6
        else:  # backward or same layer: a curve below the nodes
            sx, sy = x1 + NODE_W / 2, y1 + NODE_H
            ex, ey = x2 + NODE_W / 2, y2 + NODE_H
            bend = 45 + 12 * (i % 3)
            cy = max(sy, ey) + bend
            d = f"M{sx},{sy} C{sx},{cy} {ex},{cy} {ex},{ey}"
            lx, ly = (sx + ex) / 2, cy - bend * 0.25
        parts.append(f'<path d="{d}" fill="none" stroke="#5d6b7a" stroke-width="1.4" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{lx:.0f}" y="{ly:.0f}" {label_style}>{text}</text>')
    for s in flow.states:
        x, y = pos[s.name]
        fill = "#fff1d6" if s.name == highlight else ("#e3f4e8" if s.terminal else "#e8eef7")
        stroke = "#17692f" if s.terminal else "#17467f"
        parts.append(f'<g class="state" data-state="{escape(s.name)}">')
        parts.append(
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{2.5 if s.name == flow.initial else 1.4}"/>'
        )
        if s.terminal:
            parts.append(
                f'<rect x="{x + 3}" y="{y + 3}" width="{NODE_W - 6}" height="{NODE_H - 6}" rx="6" '
                f'fill="none" stroke="{stroke}" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{x + NODE_W / 2}" y="{y + NODE_H / 2 + 5}" font-size="14" text-anchor="middle" '
            f'fill="#1d2733">{escape(str(s.label))}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
