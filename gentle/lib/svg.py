"""Small server-drawn SVG charts (no JavaScript), drawn so that their text is never scaled.

A chart is as wide as the page lets it be. Positions across are in percent of that width and
positions down in CSS pixels, and the outer <svg> has no viewBox, so a label that gentle.css sets
at 12 px is 12 px on a phone and on a desktop alike (scaled drawings shrank it to 5-7 px at
360 px: issue 21). Lines through points are drawn in a nested <svg> stretched over the plot
area, whose strokes do not stretch (``vector-effect`` in gentle.css). The closeness circle keeps
its shape, so it is drawn at its own size in pixels, small enough for a phone (gentle.css shows
it larger on a wide screen and sets its text smaller by the same factor).

Labels are laid out for the narrowest width planned for, ``NARROW_PX`` (a chart's width on a
360 px phone): long ones wrap, and a label is cut short ("…") only where its whole text is also
given (its <title>, the page's table or list). Tick labels that would crowd at that width carry
the class ``minor``, which a narrow chart box hides. Each chart is followed by its legend, which
names only what is drawn (in words given by the caller, who translates them), and each page keeps
its table or list for people who cannot see the chart. Every text is escaped: names and events
come from people's own words."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from html import escape
from typing import TypedDict

# Widths in CSS px that layouts plan for: a chart on a 360 px phone is about 290 px wide, and
# from WIDE_PX on (gentle.css: the chart box's container query) minor ticks show as well.
NARROW_PX = 280
WIDE_PX = 560
LINE_PX = 15  # the line height of a wrapped 12 px label
TITLE_CHARS = 32  # an axis title's line (13 px, bold) that fits NARROW_PX
CIRCLE_PX = 280  # the closeness circle's own size: it fits a 360 px phone unscaled


class TimelineEvent(TypedDict):
    date: date
    label: str
    highlight: bool
    planned: bool


class TimelineEpisode(TypedDict):
    start: date
    end: date | None


# Helpers ---------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{round(value, 2):g}%"


def _num(value: float) -> str:
    """A tick's number: no needless decimals, and a true minus sign."""
    return f"{round(value, 2):g}".replace("-", "−")


def text_px(text: str, *, bold: bool = False) -> float:
    """A generous estimate of a 12 px label's width (DejaVu Sans, the widest usual system
    font), for layout only: the browser test measures the real thing."""
    return len(text) * (8.2 if bold else 7.4)


def wrap(text: str, limit: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``limit`` characters, broken between
    words; a word longer than a line is cut, and a text that does not fit ends with "…"."""
    limit = max(limit, 4)
    out: list[str] = []
    words = text.split()
    current = ""
    while words:
        word = words[0]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
            words.pop(0)
            continue
        if not current:  # a word longer than a whole line
            current, words[0] = word[:limit], word[limit:]
        out.append(current)
        current = ""
        if len(out) == lines:
            break
    if current and len(out) < lines:
        out.append(current)
    if words:
        last = out[-1] if out else ""
        out[-1:] = [last[: limit - 1].rstrip() + "…"]
    return out or [""]


def _tspans(lines: Sequence[str], x: str, dx: str = "") -> str:
    """Lines of one <text>, each under the one before."""
    shift = f' dx="{dx}"' if dx else ""
    return "".join(
        f'<tspan x="{x}"{shift} dy="{0 if index == 0 else LINE_PX}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )


def tick_classes(
    marks: Sequence[tuple[float, str]], groups: Sequence[Sequence[int]]
) -> list[str | None]:
    """Which tick labels, centred at (percent across, text), to draw: ``groups`` are sets of
    indexes into ``marks`` from the densest (every tick) to the sparsest. At NARROW_PX the
    densest group whose labels do not touch is drawn (class ""); from WIDE_PX on the densest
    such group is drawn as well (its extra labels have the class "minor", which narrow chart
    boxes hide). A label that would run off the drawing is left out; None means not drawn."""

    def fits(indexes: set[int], width: float) -> tuple[bool, set[int]]:
        boxes = []
        for i in sorted(indexes, key=lambda i: marks[i][0]):
            centre, half = marks[i][0] / 100 * width, text_px(marks[i][1]) / 2 + 3
            if centre - half >= 0 and centre + half <= width:
                boxes.append((i, centre - half, centre + half))
        clear = all(a[2] <= b[1] for a, b in zip(boxes, boxes[1:], strict=False))
        return clear, {i for i, _low, _high in boxes}

    def densest(width: float, base: set[int]) -> set[int]:
        for group in groups:
            clear, inside = fits(set(group) | base, width)
            if clear:
                return inside
        return fits(base, width)[1]

    narrow = densest(NARROW_PX, set())
    wide = densest(WIDE_PX, narrow)
    return ["" if i in narrow else "minor" if i in wide else None for i in range(len(marks))]


def _x_ticks(
    marks: Sequence[tuple[float, str]],
    groups: Sequence[Sequence[int]],
    *,
    css: str,
    y: float,
    centre: float,
    title_y: float,
    title_lines: Sequence[str],
) -> list[str]:
    """The x axis's labels under the plot, at ``y``: the ticks ``tick_classes`` keeps (class
    ``css``, plus "minor" for those only a wide chart shows), then the axis title centred at
    ``centre`` (percent across) from ``title_y``."""
    parts = []
    for (position, text), shown in zip(marks, tick_classes(marks, groups), strict=True):
        if shown is not None:
            minor = " minor" if shown else ""
            parts.append(
                f'<text class="{css}{minor}" x="{_pct(position)}" y="{y}" '
                f'text-anchor="middle">{text}</text>'
            )
    middle = _pct(centre)
    parts.append(
        f'<text class="axis-title" x="{middle}" y="{title_y}" '
        f'text-anchor="middle">{_tspans(title_lines, middle)}</text>'
    )
    return parts


def every(count: int, steps: Sequence[int], *, first: int = 0) -> list[list[int]]:
    """Index groups for ``tick_classes``: each step's multiples (counting from ``first``, the
    number of index 0), with index 0 always in."""
    return [sorted({0, *(i for i in range(count) if (i + first) % step == 0)}) for step in steps]


def nice_ticks(low: float, high: float, *, most: int = 7) -> list[float]:
    """Round numbers from ``low`` to ``high`` (both included), at most ``most`` of them: 0-27
    gives 0, 5, 10, 15, 20, 27 (a multiple too near an end gives way to the end)."""
    span = high - low
    if span <= 0:
        return [low]
    step = next(
        (s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if span / s <= most - 1),
        span,
    )
    ticks = [low]
    value = math.ceil(low / step) * step
    while value < high:
        if value - low >= step / 2 and high - value >= step / 2:
            ticks.append(value)
        value += step
    return [*ticks, high]


def legend(kind: str, entries: Sequence[tuple[str, str, str]]) -> str:
    """The chart's key, a list after it: (swatch, css classes, words) for each kind of mark
    drawn, each swatch drawn with the chart's own classes so that it has the chart's colours."""
    if not entries:
        return ""
    items = "".join(
        f'<li><svg class="swatch" width="28" height="16" aria-hidden="true" focusable="false">'
        f"{_SWATCHES[swatch].format(css=escape(css))}</svg>{escape(words)}</li>"
        for swatch, css, words in entries
    )
    return f'<ul class="chart-key chart-key-{kind}">{items}</ul>'


_SWATCHES = {
    "line": '<line class="{css}" x1="2" y1="8" x2="26" y2="8"/>'
    '<circle class="dot" cx="14" cy="8" r="3.5"/>',
    "stroke": '<line class="{css}" x1="2" y1="8" x2="26" y2="8"/>',
    "upright": '<line class="{css}" x1="14" y1="0" x2="14" y2="16"/>',
    "tick": '<line class="{css}" x1="14" y1="3" x2="14" y2="13"/>',
    "area": '<rect class="{css}" x="1" y="1" width="26" height="14"/>',
    "point": '<g class="{css}"><circle cx="14" cy="8" r="5"/></g>',
    "dot": '<circle class="{css}" cx="14" cy="8" r="4"/>',
    "diary": '<line class="{css}" x1="2" y1="8" x2="26" y2="8"/>'
    '<circle class="diary-dot" cx="14" cy="8" r="2.5"/>',
    "diamond": '<path class="{css}" d="M14 3 L19 8 L14 13 L9 8 Z"/>',
    "person": '<g class="{css}"><circle cx="14" cy="8" r="6"/></g>',
    "focus-ring": '<g class="{css}"><circle cx="14" cy="8" r="4"/>'
    '<circle class="focus-ring" cx="14" cy="8" r="7"/></g>',
}


def _box(svg: str, key: str, kind: str = "") -> str:
    """A chart and its key in one box, whose width the stylesheet's container queries read."""
    return f'<div class="chart-box{" " + kind if kind else ""}">{svg}{key}</div>'


def _plot(x: float, y: float, width: float, height: float, body: Sequence[str]) -> str:
    """A nested drawing over the plot area: 1000 units across its width (stretched), pixels
    down; used for lines through points and shapes, never for text."""
    return (
        f'<svg class="plot" x="{_pct(x)}" y="{y}" width="{_pct(width)}" height="{height}" '
        f'viewBox="0 0 1000 {height}" preserveAspectRatio="none" overflow="visible">'
        + "".join(body)
        + "</svg>"
    )


def _left_pad(labels: Sequence[str]) -> float:
    """Percent of the width left of the plot, enough for the y-axis labels on a phone."""
    widest = max((text_px(text) for text in labels), default=0)
    return round(max(widest + 10, 16) / NARROW_PX * 100, 1)


def _spaced(
    ticks: Sequence[float], position: Callable[[float], float], gap: float = 15
) -> list[float]:
    """Ticks at least ``gap`` pixels apart (the ends first), so that labels never overlap."""
    if not ticks:
        return []
    chosen = [ticks[0], ticks[-1]] if len(ticks) > 1 else [ticks[0]]
    for tick in ticks[1:-1]:
        if all(abs(position(tick) - position(other)) >= gap for other in chosen):
            chosen.append(tick)
    return sorted(set(chosen))


# Charts ----------------------------------------------------------------------------------------


def line_chart(
    points: Sequence[tuple[float, float]],
    *,
    x_max: float,
    y_max: float,
    label: str,
    x_title: str,
    y_title: str,
    keys: Mapping[str, str],
    height: int = 230,
    bands: Sequence[tuple[float, float, str, str]] = (),
    markers: Sequence[tuple[float, str]] = (),
    y_min: float = 0,
    y_ticks: Sequence[float] = (),
    expected: Sequence[tuple[float, float]] = (),
    x_labels: Sequence[str] = (),
) -> str:
    """A line of (x, y) points from x=1..x_max and y=y_min..y_max, with optional shaded
    y-bands (low, high, css class, name), vertical markers (x, css class) and an expected
    course (or a second series, named by ``keys["expected"]``). ``keys`` names each kind of
    mark for the legend: "line", "expected" and each marker's class; a kind drawn without a
    name is an error, so the legend is always true. ``y_ticks`` default to round numbers;
    ``x_labels`` name x=1, 2, ... (months, say) instead of their numbers."""
    y_lines, x_lines = wrap(y_title, TITLE_CHARS, 2), wrap(x_title, TITLE_CHARS, 2)
    top = 30 + (len(y_lines) - 1) * LINE_PX
    bottom = 46 + (len(x_lines) - 1) * LINE_PX
    plot_h = height - 76
    height = top + plot_h + bottom
    span = (y_max - y_min) or 1

    def sy(y: float) -> float:
        return round(plot_h - (y - y_min) / span * plot_h, 1)

    ticks = _spaced(sorted(set(y_ticks)) or nice_ticks(y_min, y_max), sy)
    left = _left_pad([_num(t) for t in ticks])
    right = 4.0
    plot_w = 100 - left - right
    x_span = max(x_max - 1, 1)

    def px(x: float) -> float:
        return left + (x - 1) / x_span * plot_w

    def ux(x: float) -> float:
        return round((x - 1) / x_span * 1000, 1)

    drawn: list[tuple[str, str, str]] = []

    def key(kind: str, swatch: str, css: str) -> None:
        if kind not in keys:
            raise ValueError(f"the chart draws {kind!r} but its legend has no name for it")
        if (swatch, css, keys[kind]) not in drawn:
            drawn.append((swatch, css, keys[kind]))

    plot = []
    for low, high, css, name in bands:
        plot.append(
            f'<rect class="band {escape(css)}" x="0" y="{sy(high)}" width="1000" '
            f'height="{round(sy(low) - sy(high), 1)}"/>'
        )
        drawn.append(("area", f"band {css}", name))
    for tick in ticks:
        plot.append(f'<line class="grid" x1="0" x2="1000" y1="{sy(tick)}" y2="{sy(tick)}"/>')
    for x, css in markers:
        plot.append(
            f'<line class="marker {escape(css)}" x1="{ux(x)}" x2="{ux(x)}" y1="0" y2="{plot_h}"/>'
        )
        key(css, "upright", f"marker {css}")
    plot.append(f'<rect class="frame" x="0" y="0" width="1000" height="{plot_h}"/>')
    if expected:
        path = " ".join(f"{ux(x)},{sy(y)}" for x, y in expected)
        plot.append(f'<polyline class="expected" points="{path}"/>')
        key("expected", "stroke", "expected")
    if points:
        path = " ".join(f"{ux(x)},{sy(y)}" for x, y in points)
        plot.append(f'<polyline class="line" points="{path}"/>')
        key("line", "line", "line")

    parts = [
        f'<svg class="chart" width="100%" height="{height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<text class="axis-title" x="0" y="14">{_tspans(y_lines, "0")}</text>',
        _plot(left, top, plot_w, plot_h, plot),
    ]
    for tick in ticks:
        parts.append(
            f'<text class="tick" x="{_pct(left)}" dx="-6" y="{top + sy(tick) + 4}" '
            f'text-anchor="end">{_num(tick)}</text>'
        )
    for x, y in points:
        parts.append(f'<circle class="dot" cx="{_pct(px(x))}" cy="{top + sy(y)}" r="3.5"/>')
    whole = list(range(1, int(x_max) + 1))
    marks = [(px(x), x_labels[x - 1] if x - 1 < len(x_labels) else str(x)) for x in whole]
    groups = [
        list(range(len(whole))),  # every session
        [i for i, x in enumerate(whole) if x % 2 == 1],  # 1, 3, 5, ...
        *every(len(whole), (5, 10, 20, 50, 100), first=1),  # 1, 5, 10, ...
    ]
    parts += _x_ticks(
        marks,
        groups,
        css="tick",
        y=top + plot_h + 17,
        centre=left + plot_w / 2,
        title_y=top + plot_h + 40,
        title_lines=x_lines,
    )
    parts.append("</svg>")
    rank = {"line": 0, "stroke": 1, "upright": 2, "area": 3}
    drawn.sort(key=lambda entry: rank[entry[0]])
    return _box("".join(parts), legend("line", drawn))


def closeness_circle(
    people: list[dict],
    *,
    rings: int = 3,
    label: str,
    centre: str = "Me",
    keys: Mapping[str, str] | None = None,
    ring_text: str = "ring %(ring)s",
    movable: bool = False,
    focusable: bool = False,
    help_id: str = "",
) -> str:
    """Concentric rings with the client at the centre. Each person is a dict with ``name``,
    ``ring`` (1 = innermost), ``id`` (or None) and flags ``support``, ``conflict``, ``focus``.

    Each person keeps one place around the circle, by the order in which they were added
    (their id), whatever ring they are on: moving one person changes only their distance from
    the centre, never where anyone else is. (Places were once shared out among the people of
    each ring, so a move into or out of a ring moved everyone on it.)

    ``focusable`` people can be reached with Tab and show their whole name and ring when
    focused (or hovered); ``movable`` ones are sliders whose arrow keys move them between rings
    (gentle.js, through the page's move forms; ``help_id`` names the text that says so).
    ``keys`` names the support, conflict and focus marks for the legend."""
    size = CIRCLE_PX
    middle = size / 2
    step = (size / 2 - 14) / (rings + 0.6)
    ordered = sorted(people, key=lambda p: (p.get("order") or p.get("id") or 0, str(p["name"])))
    count = max(len(ordered), 1)
    interactive = focusable or movable
    placed = []
    for index, person in enumerate(ordered):
        ring = min(max(int(person["ring"]), 1), rings)
        angle = -math.pi / 2 + 2 * math.pi * index / count + 0.35
        x = middle + step * ring * math.cos(angle)
        y = middle + step * ring * math.sin(angle)
        lines = wrap(str(person["name"]), 13, 2)
        placed.append((person, ring, x, y, lines, _name_place(x, y, angle, lines, size)))
    top = min([0.0, *[place[2] - 14 for *_, place in placed]])
    bottom = max([size, *[p[2] + (len(names) - 1) * LINE_PX + 6 for *_, names, p in placed]])
    captions = [
        wrap(f"{p['name']} · {ring_text % {'ring': ring}}", 36, 3) for p, ring, *_ in placed
    ]
    caption_top = bottom + 14
    if interactive:
        bottom_edge = caption_top + max([len(c) for c in captions] or [0]) * LINE_PX
    else:
        bottom_edge = bottom
    top, height = round(top, 1), round(bottom_edge - top, 1)
    role = 'role="group"' if interactive else 'role="img"'
    parts = [
        f'<svg class="circle{" movable" if movable else ""}" width="{size}" height="{height}" '
        f'viewBox="0 {top} {size} {height}" {role} data-step="{step:.2f}" data-rings="{rings}" '
        f'data-centre="{middle}" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
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
    flags: list[str] = []
    for (person, ring, x, y, lines, place), caption in zip(placed, captions, strict=True):
        marks = [flag for flag in ("support", "conflict", "focus") if person.get(flag)]
        flags += [mark for mark in marks if mark not in flags]
        classes = " ".join(["person", *marks])
        name = escape(str(person["name"]))
        attributes = ""
        if person.get("id"):
            pid = int(person["id"])
            attributes += f' data-person="{pid}" id="circle-person-{pid}" data-ring="{ring}"'
        words = escape(ring_text % {"ring": ring})
        if movable and person.get("id"):
            described = f' aria-describedby="{escape(help_id)}"' if help_id else ""
            attributes += (
                f' tabindex="0" role="slider" aria-label="{name}" aria-valuemin="1" '
                f'aria-valuemax="{rings}" aria-valuenow="{ring}" aria-valuetext="{words}"'
                f"{described}"
            )
        elif interactive:
            attributes += f' tabindex="0" role="img" aria-label="{name}, {words}"'
        parts.append(f'<g class="{classes}"{attributes}>')
        if not interactive:
            parts.append(f"<title>{name}</title>")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9"/>')
        if person.get("focus"):
            parts.append(f'<circle class="focus-ring" cx="{x:.1f}" cy="{y:.1f}" r="13"/>')
        anchor, label_x, label_y = place
        parts.append(
            f'<text class="name" x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="{anchor}">'
            f"{_tspans(lines, f'{label_x:.1f}')}</text>"
        )
        if interactive:
            parts.append(
                f'<g class="caption" aria-hidden="true"><rect x="0" y="{bottom + 2:.1f}" '
                f'width="{size}" height="{bottom_edge - bottom - 2:.1f}"/>'
                f'<text x="{middle}" y="{caption_top:.1f}" text-anchor="middle">'
                f"{_tspans(caption, str(middle))}</text></g>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    names = keys or {}
    entries = [
        ("focus-ring", "person", names[flag])
        if flag == "focus"
        else ("person", f"person {flag}", names[flag])
        for flag in flags
        if flag in names
    ]
    return _box("".join(parts), legend("circle", entries), "circle-box")


def _name_place(
    x: float, y: float, angle: float, lines: Sequence[str], size: float
) -> tuple[str, float, float]:
    """Where a person's name goes: outwards from their dot (beside it on the left and right,
    under or over it at the bottom and top), so that names stay clear of the centre and of
    the rings inside; beneath the dot, kept inside the drawing, when there is no room beside
    it. Returns (text-anchor, x, the first line's baseline)."""
    width = max(text_px(line) for line in lines)
    across, down = math.cos(angle), math.sin(angle)
    middle_y = y + 4 - (len(lines) - 1) * LINE_PX / 2
    if across > 0.45 and x + 14 + width <= size - 2:
        return "start", x + 14, middle_y
    if across < -0.45 and x - 14 - width >= 2:
        return "end", x - 14, middle_y
    centre = min(max(x, width / 2 + 2), size - width / 2 - 2)
    if down < -0.45 and abs(x - centre) < 1:
        return "middle", centre, y - 15 - (len(lines) - 1) * LINE_PX
    return "middle", centre, y + 24


def scatter(
    points: list[tuple[float, float, str]],
    *,
    x_label: str,
    y_label: str,
    label: str,
    keys: Mapping[str, str] | None = None,
    low: float = 1,
    high: float = 7,
    height: int = 320,
) -> str:
    """Points (x, y, name) on a plane from ``low`` to ``high`` on both axes, with the
    mid-lines drawn and the axes titled; names are escaped and wrap beside their dot, on the
    side with more room. ``keys``: "mid" names the mid-lines for the legend."""
    top, bottom = 12, 44
    plot_h = height - top - bottom
    ticks = nice_ticks(low, high)
    left = _left_pad([_num(t) for t in ticks]) + 6
    right = 3.0
    plot_w = 100 - left - right
    mid = (low + high) / 2

    def px(value: float) -> float:
        return left + (value - low) / (high - low) * plot_w

    def py(value: float) -> float:
        return round(top + plot_h - (value - low) / (high - low) * plot_h, 1)

    parts = [
        f'<svg class="plane" width="100%" height="{height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<rect class="frame" x="{_pct(left)}" y="{top}" width="{_pct(plot_w)}" '
        f'height="{plot_h}"/>',
        f'<line class="mid" x1="{_pct(px(mid))}" x2="{_pct(px(mid))}" y1="{top}" '
        f'y2="{top + plot_h}"/>',
        f'<line class="mid" x1="{_pct(left)}" x2="{_pct(left + plot_w)}" y1="{py(mid)}" '
        f'y2="{py(mid)}"/>',
        f'<text class="axis-title" x="{_pct(left + plot_w / 2)}" y="{height - 6}" '
        f'text-anchor="middle">{escape(x_label)}</text>',
        f'<text class="axis-title" x="14" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2})">{escape(y_label)}</text>',
    ]
    for tick in ticks:
        parts.append(
            f'<text class="tick" x="{_pct(left)}" dx="-6" y="{py(tick) + 4}" '
            f'text-anchor="end">{_num(tick)}</text>'
        )
        parts.append(
            f'<text class="tick" x="{_pct(px(tick))}" y="{top + plot_h + 17}" '
            f'text-anchor="middle">{_num(tick)}</text>'
        )
    for x, y, name in points:
        at = px(x)
        room = (100 - right - at if at < 50 else at - left) / 100 * NARROW_PX - 14
        lines = wrap(name, max(int(room / 7.4), 6), 2)
        anchor, dx = ("start", "9") if at < 50 else ("end", "-9")
        parts.append(f'<circle class="dot" cx="{_pct(at)}" cy="{py(y)}" r="6"/>')
        parts.append(
            f'<text x="{_pct(at)}" y="{py(y) + 4}" text-anchor="{anchor}">'
            f"{_tspans(lines, _pct(at), dx)}</text>"
        )
    parts.append("</svg>")
    names = keys or {}
    entries = [("stroke", "mid", names["mid"])] if "mid" in names else []
    return _box("".join(parts), legend("plane", entries))


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
    keys: Mapping[str, str],
    titles: tuple[str, str] = ("Life events", "Mood (0–10)"),
    diary: Sequence[tuple[date, float]] = (),
) -> str:
    """A horizontal timeline from ``start`` to ``end``: life events as points on rows above
    the time axis (``highlight`` and ``planned`` flags), each label beside its point on the
    side with more room, wrapped, never running off the drawing (a label cut short keeps its
    whole text in its <title>); symptom episodes as shaded spans; the mood lines (0–10) in
    their own lane beneath (session ratings, and the client's diary as a dashed line with
    dots), and attended sessions as ticks. ``ticks`` are (date, label) pairs for the axis;
    ``keys`` names each kind of mark for the legend ("episode", "event", "highlight",
    "planned", "mood", "diary", "session"); ``titles`` head the event and mood lanes."""
    left, right = _left_pad(["10"]), 3.0
    plot_w = 100 - left - right
    span = max((end - start).days, 1)

    def px(day: date) -> float:
        return left + (day - start).days / span * plot_w

    drawn: set[str] = set()

    # Events: rows packed from the top, each label on the side of its point with more room.
    rows: list[list[tuple[float, float]]] = []
    row_lines: list[int] = []
    laid = []
    for event in sorted(events, key=lambda e: e["date"]):
        at = px(event["date"])
        to_right = (100 - right - at) >= (at - left)
        room = ((100 - right - at) if to_right else (at - left)) / 100 * NARROW_PX - 12
        bold = bool(event.get("highlight"))
        per_char = 8.2 if bold else 7.4
        lines = wrap(event["label"], max(min(int(room / per_char), 30), 6), 3)
        width = (max(text_px(line, bold=bold) for line in lines) + 14) / NARROW_PX * 100
        box = (at, at + width) if to_right else (at - width, at)
        for row, taken in enumerate(rows):
            if all(box[1] + 2 < a or b + 2 < box[0] for a, b in taken):
                taken.append(box)
                row_lines[row] = max(row_lines[row], len(lines))
                break
        else:
            rows.append([box])
            row_lines.append(len(lines))
            row = len(rows) - 1
        laid.append((event, at, to_right, lines, row))
    row_top = [34.0]
    for count in row_lines:
        row_top.append(row_top[-1] + count * LINE_PX + 10)
    axis = max(row_top[-1], 60) + 6
    # The mood lane only when there is mood to draw; the session ticks go under it (or the axis).
    mood_top, mood_h = (axis + 62, 100) if moods or diary else (axis + 24, 0)
    mood_bottom = mood_top + mood_h
    height = mood_bottom + (24 if sessions or mood_h else 8)

    parts = [
        f'<svg class="timeline" width="100%" height="{height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for episode in episodes:
        x1 = px(max(episode["start"], start))
        x2 = px(min(episode["end"] or end, end))
        parts.append(
            f'<rect class="episode" x="{_pct(x1)}" y="22" width="{_pct(max(x2 - x1, 0.5))}" '
            f'height="{mood_bottom - 22}"/>'
        )
        drawn.add("episode")
    parts.append(f'<text class="axis-title" x="0" y="14">{escape(titles[0])}</text>')
    parts.append(
        f'<line class="axis" x1="{_pct(left)}" x2="{_pct(100 - right)}" y1="{axis}" y2="{axis}"/>'
    )
    marks = [(px(day), text) for day, text in ticks]
    groups = every(len(marks), (1, 2, 3, 4, 6, 12))
    for (position, text), css in zip(marks, tick_classes(marks, groups), strict=True):
        if css is None:
            continue
        minor = " minor" if css else ""
        parts.append(
            f'<line class="tick{minor}" x1="{_pct(position)}" x2="{_pct(position)}" '
            f'y1="{axis - 4}" y2="{axis + 4}"/>'
        )
        parts.append(
            f'<text class="tick-label{minor}" x="{_pct(position)}" y="{axis + 20}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
    for event, at, to_right, lines, row in laid:
        y = row_top[row] + 4
        flags = [flag for flag in ("highlight", "planned") if event.get(flag)]
        classes = " ".join(["event", *flags])
        drawn.add(flags[0] if flags else "event")
        anchor, dx = ("start", "9") if to_right else ("end", "-9")
        parts.append(f'<g class="{classes}">')
        parts.append(f"<title>{escape(event['label'])}</title>")
        parts.append(f'<line x1="{_pct(at)}" x2="{_pct(at)}" y1="{y + 5}" y2="{axis}"/>')
        parts.append(f'<circle cx="{_pct(at)}" cy="{y}" r="5"/>')
        parts.append(
            f'<text x="{_pct(at)}" y="{y + 4}" text-anchor="{anchor}">'
            f"{_tspans(lines, _pct(at), dx)}</text>"
        )
        parts.append("</g>")
    if moods or diary:

        def my(value: float) -> float:
            return round(mood_h - value / 10 * mood_h, 1)

        parts.append(
            f'<text class="axis-title" x="0" y="{mood_top - 14}">{escape(titles[1])}</text>'
        )
        plot = [f'<rect class="frame" x="0" y="0" width="1000" height="{mood_h}"/>']
        for value in (0, 5, 10):
            plot.append(f'<line class="grid" x1="0" x2="1000" y1="{my(value)}" y2="{my(value)}"/>')
            parts.append(
                f'<text class="tick-label" x="{_pct(left)}" dx="-6" y="{mood_top + my(value) + 4}" '
                f'text-anchor="end">{value}</text>'
            )

        def ux(day: date) -> float:
            return round((day - start).days / span * 1000, 1)

        if diary:
            points = " ".join(f"{ux(day)},{my(value)}" for day, value in diary)
            plot.append(f'<polyline class="diary" points="{points}"/>')
            drawn.add("diary")
        if moods:
            points = " ".join(f"{ux(day)},{my(value)}" for day, value in moods)
            plot.append(f'<polyline class="mood" points="{points}"/>')
            drawn.add("mood")
        parts.append(_plot(left, mood_top, plot_w, mood_h, plot))
        parts.extend(
            f'<circle class="diary-dot" cx="{_pct(px(day))}" cy="{mood_top + my(value)}" r="2.5"/>'
            for day, value in diary
        )
        parts.extend(
            f'<circle class="mood-dot" cx="{_pct(px(day))}" cy="{mood_top + my(value)}" r="3"/>'
            for day, value in moods
        )
    for day in sessions:
        x = _pct(px(day))
        parts.append(
            f'<line class="session" x1="{x}" x2="{x}" y1="{mood_bottom + 6}" '
            f'y2="{mood_bottom + 16}"/>'
        )
        drawn.add("session")
    parts.append("</svg>")
    swatches = {
        "episode": ("area", "episode"),
        "event": ("point", "event"),
        "highlight": ("point", "event highlight"),
        "planned": ("point", "event planned"),
        "mood": ("stroke", "mood"),
        "diary": ("diary", "diary"),
        "session": ("tick", "session"),
    }
    missing = drawn - keys.keys()
    if missing:
        raise ValueError(f"the timeline draws {sorted(missing)} but its legend has no name")
    entries = [(*swatches[kind], keys[kind]) for kind in swatches if kind in drawn]
    return _box("".join(parts), legend("timeline", entries))


def grief_curve(
    *,
    months: float,
    series: list[tuple[str, str, list[tuple[float, float]]]],
    loss_lane: list[float],
    restoration_lane: list[float],
    check_ins: list[float],
    label: str,
    lane_labels: tuple[str, str],
    x_title: str,
    y_title: str,
    keys: Mapping[str, str],
) -> str:
    """Time since a loss (months) with marks at 6 and 12 months; each score series as a line
    in percent of its range (name, css class, [(month, percent)]); the dual-process log as two
    lanes of dots so that oscillation shows; check-ins as small diamonds. ``keys`` names the
    marks ("months" for the 6- and 12-month lines, "check-in"); series are named by their own
    name, lanes by ``lane_labels``."""
    left, right = _left_pad(["100"]), 4.0
    plot_w = 100 - left - right
    y_lines, x_lines = wrap(y_title, TITLE_CHARS, 2), wrap(x_title, TITLE_CHARS, 2)
    top, plot_h = 30 + (len(y_lines) - 1) * LINE_PX, 150
    span = max(months, 13)
    axis_title_y = top + plot_h + 38
    lane_y = axis_title_y + (len(x_lines) - 1) * LINE_PX + 40

    def px(month: float) -> float:
        return left + month / span * plot_w

    def ux(month: float) -> float:
        return round(month / span * 1000, 1)

    def sy(percent: float) -> float:
        return round(plot_h - percent / 100 * plot_h, 1)

    drawn: list[tuple[str, str, str]] = []
    plot = [f'<rect class="frame" x="0" y="0" width="1000" height="{plot_h}"/>']
    for percent in (0, 50, 100):
        plot.append(f'<line class="grid" x1="0" x2="1000" y1="{sy(percent)}" y2="{sy(percent)}"/>')
    for mark in (6, 12):
        plot.append(
            f'<line class="month-mark" x1="{ux(mark)}" x2="{ux(mark)}" y1="0" y2="{plot_h}"/>'
        )
    drawn.append(("upright", "month-mark", keys["months"]))
    dots: list[str] = []
    for name, css, points in series:
        if points:
            path = " ".join(f"{ux(m)},{sy(p)}" for m, p in points)
            plot.append(f'<polyline class="series {escape(css)}" points="{path}"/>')
            dots.extend(
                f'<circle class="series-dot {escape(css)}" cx="{_pct(px(m))}" '
                f'cy="{top + sy(p)}" r="3.5"/>'
                for m, p in points
            )
            drawn.append(("stroke", f"series {css}", name))
    parts = [
        f'<svg class="grief" width="100%" height="{lane_y + 52}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<text class="axis-title" x="0" y="14">{_tspans(y_lines, "0")}</text>',
        _plot(left, top, plot_w, plot_h, plot),
        *dots,
    ]
    for percent in (0, 50, 100):
        parts.append(
            f'<text class="tick-label" x="{_pct(left)}" dx="-6" y="{top + sy(percent) + 4}" '
            f'text-anchor="end">{percent}</text>'
        )
    marks = [(px(m), str(m)) for m in range(0, int(span) + 1)]
    groups = every(len(marks), (1, 2, 3, 6, 12, 24))
    parts += _x_ticks(
        marks,
        groups,
        css="tick-label",
        y=top + plot_h + 17,
        centre=left + plot_w / 2,
        title_y=axis_title_y,
        title_lines=x_lines,
    )
    for index, (lane, name) in enumerate(
        zip((loss_lane, restoration_lane), lane_labels, strict=True)
    ):
        y = lane_y + index * 40
        parts.append(f'<text class="lane-label" x="{_pct(left)}" y="{y - 9}">{escape(name)}</text>')
        parts.append(
            f'<line class="lane" x1="{_pct(left)}" x2="{_pct(100 - right)}" y1="{y}" y2="{y}"/>'
        )
        for month in lane:
            parts.append(
                f'<circle class="lane-dot lane-{index}" cx="{_pct(px(month))}" cy="{y}" r="4"/>'
            )
        if lane:
            drawn.append(("dot", f"lane-dot lane-{index}", name))
    for month in check_ins:
        parts.append(
            f'<svg x="{_pct(px(month))}" y="{top + 8}" width="1" height="1" overflow="visible">'
            f'<path class="check-in" d="M0 -5 L5 0 L0 5 L-5 0 Z"/></svg>'
        )
    if check_ins:
        drawn.append(("diamond", "check-in", keys["check-in"]))
    parts.append("</svg>")
    return _box("".join(parts), legend("grief", drawn))


def funnel(
    points: Sequence[tuple[int, float, str]],
    *,
    rate: float,
    limits: Callable[[float, int, float], tuple[float, float]],
    z_inner: float,
    z_outer: float,
    x_label: str,
    y_label: str,
    label: str,
    keys: Mapping[str, str],
    height: int = 300,
) -> str:
    """A funnel plot (Spiegelhalter 2005): each unit's rate (0–1) against its number of cases,
    around the overall ``rate`` with the control limits ``limits(rate, n, z)`` at ``z_inner``
    and ``z_outer``. ``points``: (n, rate, short label) — each dot is labelled with its short
    label (a number the page's table explains) and titled with it. ``keys``: the legend's
    words for "rate", "inner", "outer" and "unit"."""
    top, bottom = 12, 44
    plot_h = height - top - bottom
    most = max([n for n, _r, _l in points] + [10])
    x_ticks = nice_ticks(0, most)
    high = max(x_ticks[-1], most)
    y_ticks = [0, 25, 50, 75, 100]
    left = _left_pad([f"{t}%" for t in y_ticks]) + 6
    right = 3.0
    plot_w = 100 - left - right

    def px(n: float) -> float:
        return left + n / high * plot_w

    def py(value: float) -> float:
        return round(top + plot_h - value * plot_h, 1)

    def curve(z: float, side: int) -> str:
        steps = [max(1, round(high * i / 60)) for i in range(61)]
        coords = []
        for n in sorted(set(steps)):
            bound = limits(rate, n, z)[0 if side < 0 else 1]
            coords.append(f"{round(n / high * 1000, 1)},{round(plot_h - bound * plot_h, 1)}")
        return " ".join(coords)

    body = [
        f'<line class="funnel-rate" stroke="#222" stroke-width="2" x1="0" x2="1000" '
        f'y1="{round(plot_h - rate * plot_h, 1)}" y2="{round(plot_h - rate * plot_h, 1)}"/>'
    ]
    # Presentation attributes as well as classes: the PDF's renderer reads no stylesheet for
    # an inline SVG (the page's stylesheet overrides them on screen).
    for z, css, dashes in ((z_inner, "funnel-inner", "6 4"), (z_outer, "funnel-outer", "2 3")):
        for side in (-1, 1):
            body.append(
                f'<polyline class="{css}" fill="none" stroke="#555" stroke-width="1.5" '
                f'stroke-dasharray="{dashes}" points="{curve(z, side)}"/>'
            )
    parts = [
        f'<svg class="funnel" width="100%" height="{height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<rect class="frame" x="{_pct(left)}" y="{top}" width="{_pct(plot_w)}" '
        f'height="{plot_h}" fill="none"/>',
        _plot(left, top, plot_w, plot_h, body),
        f'<text class="axis-title" x="{_pct(left + plot_w / 2)}" y="{height - 6}" '
        f'text-anchor="middle">{escape(x_label)}</text>',
        f'<text class="axis-title" x="14" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2})">{escape(y_label)}</text>',
    ]
    for percent in y_ticks:
        parts.append(
            f'<text class="tick" x="{_pct(left)}" dx="-6" y="{py(percent / 100) + 4}" '
            f'text-anchor="end">{percent}%</text>'
        )
    for tick in _spaced(x_ticks, lambda t: px(t) / 100 * NARROW_PX, 24):
        parts.append(
            f'<text class="tick" x="{_pct(px(tick))}" y="{top + plot_h + 17}" '
            f'text-anchor="middle">{_num(tick)}</text>'
        )
    # Units at the same point (the same cases and rate) share one dot and one label, "1, 3":
    # labels drawn on top of each other could not be read.
    shared: dict[tuple[int, float], list[str]] = {}
    for n, value, short in points:
        shared.setdefault((n, py(value)), []).append(short)
    for (n, y), shorts in shared.items():
        named = ", ".join(shorts)
        parts.append(
            f'<g class="funnel-unit"><title>{escape(named)}</title>'
            f'<circle class="dot" fill="#222" cx="{_pct(px(n))}" cy="{y}" r="5"/>'
            f'<text class="funnel-label" x="{_pct(px(n))}" dx="8" '
            f'y="{y - 6 if y > top + 14 else y + 16}">'
            f"{escape(named)}</text></g>"
        )
    parts.append("</svg>")
    entries = [
        ("stroke", "funnel-rate", keys["rate"]),
        ("stroke", "funnel-inner", keys["inner"]),
        ("stroke", "funnel-outer", keys["outer"]),
        ("dot", "dot", keys["unit"]),
    ]
    return _box("".join(parts), legend("funnel", entries))
