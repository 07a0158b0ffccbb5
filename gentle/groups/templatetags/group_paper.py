"""The session numbers a group's paper links list (the group format's number of sessions)."""

from __future__ import annotations

from typing import Any

from django import template

from gentle.courses import protocol

register = template.Library()


@register.simple_tag
def paper_sessions(group: Any) -> range:
    return range(1, protocol.defaults_for(group.format).sessions + 1)
