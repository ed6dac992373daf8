"""The proposals package's errors: a clear message for the person acting; nothing was changed."""

from __future__ import annotations


class ProposalError(ValueError):
    """A clear message for the person acting; nothing was changed."""


class VoteError(ProposalError):
    """Why a vote was not recorded; nothing was changed."""
