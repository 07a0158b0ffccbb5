"""What every place that hears a client's words passes to ``text_hear``: the words of a form
as one text, and a source id that names the words, so an alert is raised once per saved object
and wording (a re-save of the same words raises nothing new; an edit that changes them is heard
again)."""

from __future__ import annotations

from hashlib import sha256


def words_of(*parts: object) -> str:
    """A form's free-text fields as one text, each its own paragraph so that the scanner never
    reads the end of one answer and the start of the next as one sentence."""
    return "\n\n".join(str(part) for part in parts if part)


def source_key(object_id: object, text: str) -> str:
    """``<object id>:<digest of the words>``, at most 40 characters (Alert.source_id)."""
    digest = sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{object_id}:{digest}"[:40]
