"""Helpers for handling submitted forms (no Django imports needed)."""


def posted(request):
    """The submitted data for a POST, None otherwise: a form bound to an empty POST still
    reports what is missing, where ``request.POST or None`` would show a blank form."""
    return request.POST if request.method == "POST" else None
