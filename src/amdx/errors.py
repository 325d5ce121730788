"""User-facing error types shared by the command line and (later) the server."""

from __future__ import annotations


class BadInput(Exception):
    """A user error; the message says what was expected and what was found."""
