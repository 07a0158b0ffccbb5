"""Small server-drawn SVG charts (no JavaScript). Each chart is paired with a table in the
page that uses it, for people who cannot see it."""

from __future__ import annotations

from html import escape


def line_chart(
    points: list[tuple[float, float]],
    *,
    x_max: float,
    y_max: float,
    label: str,
    width: int = 640,
    height: int = 200,
    bands: list[tuple[float, float, str]] = (),
    markers: list[tuple[float, str]] = (),
    y_min: float = 0,
    expected: list[tuple[float, float]] = (),
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
