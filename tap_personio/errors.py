"""Errors a user can act on.

Each one is a click exception, so the command line prints its one-line message and exits 1
instead of a traceback, and a fatal API error, so the SDK stops the sync.
"""

from __future__ import annotations

import click
from singer_sdk.exceptions import FatalAPIError


class PersonioError(FatalAPIError, click.ClickException):
    """A fault the user can fix: the message names the problem and the remedy."""

    def __init__(self, message: str) -> None:
        click.ClickException.__init__(self, message)


class PersonioAuthError(PersonioError):
    """The credential was refused."""


class PersonioAccessError(PersonioError):
    """The credential lacks the access right a stream needs."""


class PersonioNotFound(PersonioError):
    """Personio answered 404: the resource (or, for beta endpoints, the feature) is not there."""
