"""Plain text with a few line marks, rendered as safe HTML: blank lines separate paragraphs,
a line starting '## ' is a heading, lines starting '- ' make a list. Everything is escaped
first, so no markup, script or link typed into the text can ever reach the page."""

from __future__ import annotations

from html import escape


def render(text: str, *, heading: str = "h3") -> str:
    """The HTML for ``text``; the caller marks it safe."""
    blocks: list[str] = []
    items: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(f"<{heading}>{escape(line[3:].strip())}</{heading}>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(escape(line[2:].strip()))
        else:
            if items:
                flush()
            paragraph.append(escape(line))
    flush()
    return "\n".join(blocks)
