"""Lavterskel core: organizations, people, work and days, extended by plugins.

The core never imports from ``plugins``; everything a program needs beyond the
shared model is reached through the hooks in :mod:`core.hookspecs`.
"""

from core.plugins import hookimpl  # noqa: E402  - the marker plugins decorate their hooks with

__all__ = ["hookimpl"]
