"""``{% load textsafety %}``: ``{{ value|visible_controls }}`` on any page showing outside text."""

from __future__ import annotations

from django import template

from ..textsafety import visible_controls as _visible_controls

register = template.Library()


@register.filter
def visible_controls(value: object) -> str:
    """Invisible and reordering characters shown as ``<U+XXXX>``; autoescaping still applies."""
    return _visible_controls(value)
