"""Small server-drawn SVG charts (no JavaScript). Each chart is paired with a table in the
page that uses it, for people who cannot see it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import TypedDict


class TimelineEvent(TypedDict):
    date: date
    label: str
    highlight: bool
    planned: bool


class TimelineEpisode(TypedDict):
    start: date
    end: date | None


def line_chart(
    points: Sequence[tuple[float, float]],
    *,
    x_max: float,
    y_max: float,
    label: str,
    width: int = 640,
    height: int = 200,
    bands: Sequence[tuple[float, float, str]] = (),
    markers: Sequence[tuple[float, str]] = (),
    y_min: float = 0,
    expected: Sequence[tuple[float, float]] = (),
) -> str:
    """A line of (x, y) points from x=1..x_max and y=y_min..y_max, with optional shaded y-bands
    (low, high, css class) and vertical markers (x, css class)."""
    pad_left, pad_right, pad_top, pad_bottom = 32, 12, 10, 24
    plot_w = width - pad_left - pad_right
    plot_h = height - pad_top - pad_bottom
    x_span = max(x_max - 1, 1)

    def sx(x: float) -> float:
        return round(pad_left + (x - 1) / x_span * plot_w, 1)

    def sy(y: float) -> float:
        return round(pad_top + plot_h - (y - y_min) / (y_max - y_min or 1) * plot_h, 1)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for low, high, css in bands:
        parts.append(
            f'<rect class="band {escape(css)}" x="{pad_left}" y="{sy(high)}" width="{plot_w}" '
            f'height="{round(sy(low) - sy(high), 1)}"/>'
        )
    for x, css in markers:
        parts.append(
            f'<line class="marker {escape(css)}" x1="{sx(x)}" x2="{sx(x)}" y1="{pad_top}" '
            f'y2="{pad_top + plot_h}"/>'
        )
    for tick in (y_min, (y_min + y_max) / 2, y_max):
        parts.append(
            f'<text class="tick" x="{pad_left - 6}" y="{sy(tick) + 4}" '
            f'text-anchor="end">{tick:g}</text>'
        )
    step = 1 if x_max <= 16 else 2
    for x in range(1, int(x_max) + 1, step):
        parts.append(
            f'<text class="tick" x="{sx(x)}" y="{height - 6}" text-anchor="middle">{x}</text>'
        )
    parts.append(
        f'<rect class="frame" x="{pad_left}" y="{pad_top}" width="{plot_w}" height="{plot_h}"/>'
    )
    if expected:
        path = " ".join(f"{sx(x)},{sy(y)}" for x, y in expected)
        parts.append(f'<polyline class="expected" points="{path}"/>')
    if points:
        path = " ".join(f"{sx(x)},{sy(y)}" for x, y in points)
        parts.append(f'<polyline class="line" points="{path}"/>')
        for x, y in points:
            parts.append(f'<circle class="dot" cx="{sx(x)}" cy="{sy(y)}" r="3.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def closeness_circle(
    people: list[dict], *, rings: int = 3, label: str, centre: str = "Me", size: int = 420
) -> str:
    """Concentric rings with the client at the centre. Each person is a dict with ``name``,
    ``ring`` (1 = innermost) and flags ``support``, ``conflict``, ``focus``. Every text is
    escaped: names come from people's own words."""
    import math

    middle = size / 2
    step = (size / 2 - 14) / (rings + 0.6)
    parts = [
        f'<svg class="circle" viewBox="0 0 {size} {size}" role="img" data-step="{step:.2f}" '
        f'data-rings="{rings}" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for ring in range(rings, 0, -1):
        radius = step * (ring + 0.6)
        parts.append(
            f'<circle class="ring ring-{ring}" cx="{middle}" cy="{middle}" r="{radius:.1f}"/>'
        )
    parts.append(f'<circle class="me" cx="{middle}" cy="{middle}" r="{step * 0.55:.1f}"/>')
    parts.append(
        f'<text class="me-label" x="{middle}" y="{middle + 4}" '
        f'text-anchor="middle">{escape(centre)}</text>'
    )
    by_ring: dict[int, list[dict]] = {}
    for person in people:
        by_ring.setdefault(min(max(int(person["ring"]), 1), rings), []).append(person)
    for ring, members in by_ring.items():
        radius = step * ring
        for index, person in enumerate(members):
            angle = -math.pi / 2 + (2 * math.pi * index / len(members)) + ring * 0.45
            x = middle + radius * math.cos(angle)
            y = middle + radius * math.sin(angle)
            classes = " ".join(
                ["person", *[flag for flag in ("support", "conflict", "focus") if person.get(flag)]]
            )
            pid = f' data-person="{int(person["id"])}"' if person.get("id") else ""
            parts.append(f'<g class="{classes}"{pid}>')
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9"/>')
            if person.get("focus"):
                parts.append(f'<circle class="focus-ring" cx="{x:.1f}" cy="{y:.1f}" r="13"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{y + 24:.1f}" text-anchor="middle">'
                f"{escape(_short(str(person['name'])))}</text>"
            )
            parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def scatter(
    points: list[tuple[float, float, str]],
    *,
    x_label: str,
    y_label: str,
    label: str,
    low: float = 1,
    high: float = 7,
    size: int = 360,
) -> str:
    """Points (x, y, name) on a square plane from ``low`` to ``high`` on both axes, with the
    mid-lines drawn; names are escaped."""
    pad = 40
    plot = size - 2 * pad

    def s(value: float) -> float:
        return pad + (value - low) / (high - low) * plot

    mid = (low + high) / 2
    parts = [
        f'<svg class="plane" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<rect class="frame" x="{pad}" y="{pad}" width="{plot}" height="{plot}"/>',
        f'<line class="mid" x1="{s(mid):.1f}" x2="{s(mid):.1f}" y1="{pad}" y2="{pad + plot}"/>',
        f'<line class="mid" y1="{size - s(mid):.1f}" y2="{size - s(mid):.1f}" x1="{pad}" '
        f'x2="{pad + plot}"/>',
        f'<text class="axis" x="{size / 2}" y="{size - 8}" text-anchor="middle">'
        f"{escape(x_label)}</text>",
        f'<text class="axis" x="12" y="{size / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {size / 2})">{escape(y_label)}</text>',
    ]
    for x, y, name in points:
        cx, cy = s(x), size - s(y)
        parts.append(f'<circle class="dot" cx="{cx:.1f}" cy="{cy:.1f}" r="6"/>')
        parts.append(f'<text x="{cx + 9:.1f}" y="{cy + 4:.1f}">{escape(name[:24])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, limit: int = 16) -> str:
    """Labels on a chart stay short; the full name is in the list beside it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline(
    *,
    start: date,
    end: date,
    events: Sequence[TimelineEvent],
    episodes: Sequence[TimelineEpisode],
    moods: Sequence[tuple[date, float]],
    sessions: Sequence[date],
    label: str,
    ticks: Sequence[tuple[date, str]],
    width: int = 720,
    diary: Sequence[tuple[date, float]] = (),
) -> str:
    """A horizontal timeline from ``start`` to ``end`` (dates): symptom episodes as shaded
    spans, events as marked points (``highlight`` and ``planned`` flags), the mood lines (0–10)
    beneath (session ratings, and the client's own diary as a dashed line with dots), and
    session ticks. ``ticks`` are (date, label) pairs for the axis."""
    height, pad, top, mood_top, mood_h = 250, 20, 30, 150, 60
    span = max((end - start).days, 1)

    def sx(day: date) -> float:
        return round(pad + (day - start).days / span * (width - 2 * pad), 1)

    def my(value: float) -> float:
        return round(mood_top + mood_h - value / 10 * mood_h, 1)

    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="{pad}" x2="{width - pad}" y1="{top + 80}" y2="{top + 80}"/>',
    ]
    for episode in episodes:
        x1 = sx(max(episode["start"], start))
        x2 = sx(min(episode["end"] or end, end))
        parts.append(
            f'<rect class="episode" x="{x1}" y="{top}" width="{max(x2 - x1, 2)}" '
            f'height="{mood_top + mood_h - top}"/>'
        )
    for day, text in ticks:
        x = sx(day)
        parts.append(f'<line class="tick" x1="{x}" x2="{x}" y1="{top + 76}" y2="{top + 84}"/>')
        parts.append(
            f'<text class="tick-label" x="{x}" y="{top + 98}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
    for day in sessions:
        x = sx(day)
        parts.append(
            f'<line class="session" x1="{x}" x2="{x}" y1="{mood_top + mood_h + 4}" '
            f'y2="{mood_top + mood_h + 14}"/>'
        )
    for index, event in enumerate(events):
        x = sx(event["date"])
        y = top + 12 + (index % 3) * 20
        classes = " ".join(["event", *[f for f in ("highlight", "planned") if event.get(f)]])
        parts.append(f'<g class="{classes}">')
        parts.append(f'<line x1="{x}" x2="{x}" y1="{y + 4}" y2="{top + 80}"/>')
        parts.append(f'<circle cx="{x}" cy="{y}" r="5"/>')
        parts.append(f'<text x="{x + 7}" y="{y + 4}">{escape(_short(event["label"], 22))}</text>')
        parts.append("</g>")
    if diary:
        points = " ".join(f"{sx(day)},{my(value)}" for day, value in diary)
        parts.append(f'<polyline class="diary" points="{points}"/>')
        parts.extend(
            f'<circle class="diary-dot" cx="{sx(day)}" cy="{my(value)}" r="2.5"/>'
            for day, value in diary
        )
    if moods:
        points = " ".join(f"{sx(day)},{my(value)}" for day, value in moods)
        parts.append(f'<polyline class="mood" points="{points}"/>')
    if moods or diary:
        parts.append(f'<text class="tick-label" x="{pad}" y="{mood_top - 4}">0–10</text>')
    parts.append("</svg>")
    return "".join(parts)


def grief_curve(
    *,
    months: float,
    series: list[tuple[str, str, list[tuple[float, float]]]],
    loss_lane: list[float],
    restoration_lane: list[float],
    check_ins: list[float],
    label: str,
    lane_labels: tuple[str, str],
    width: int = 720,
) -> str:
    """Time since a loss (months) with marks at 6 and 12 months; each score series as a line
    in percent of its range (name, css class, [(month, percent)]); the dual-process log as two
    lanes of dots so that oscillation shows; check-ins as small diamonds."""
    pad, top, plot_h, lane_y = 96, 16, 150, 200
    height = lane_y + 60
    span = max(months, 13)

    def sx(month: float) -> float:
        return round(pad + month / span * (width - 2 * pad), 1)

    def sy(percent: float) -> float:
        return round(top + plot_h - percent / 100 * plot_h, 1)

    parts = [
        f'<svg class="grief" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<rect class="frame" x="{pad}" y="{top}" width="{width - 2 * pad}" height="{plot_h}"/>',
    ]
    for mark in (6, 12):
        x = sx(mark)
        parts.append(f'<line class="month-mark" x1="{x}" x2="{x}" y1="{top}" y2="{lane_y + 40}"/>')
        parts.append(
            f'<text class="tick-label" x="{x}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{mark}</text>'
        )
    parts.append(
        f'<text class="tick-label" x="{pad}" y="{top + plot_h + 14}" text-anchor="middle">0</text>'
    )
    for _name, css, points in series:
        if points:
            path = " ".join(f"{sx(m)},{sy(p)}" for m, p in points)
            parts.append(f'<polyline class="series {escape(css)}" points="{path}"/>')
            for m, p in points:
                parts.append(
                    f'<circle class="series-dot {escape(css)}" cx="{sx(m)}" cy="{sy(p)}" r="3.5"/>'
                )
    for index, (lane, name) in enumerate(
        zip((loss_lane, restoration_lane), lane_labels, strict=True)
    ):
        y = lane_y + index * 22
        parts.append(
            f'<text class="lane-label" x="{pad - 4}" y="{y + 4}" '
            f'text-anchor="end">{escape(_short(name, 14))}</text>'
        )
        parts.append(f'<line class="lane" x1="{pad}" x2="{width - pad}" y1="{y}" y2="{y}"/>')
        for month in lane:
            parts.append(f'<circle class="lane-dot lane-{index}" cx="{sx(month)}" cy="{y}" r="4"/>')
    for month in check_ins:
        x, y = sx(month), top + 8
        parts.append(
            f'<path class="check-in" d="M{x} {y - 5} L{x + 5} {y} L{x} {y + 5} L{x - 5} {y} Z"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
