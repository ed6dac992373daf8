"""Effects the workspace announces (see :mod:`coopkit.effects`): joining again and leaving
change register entries, which the register package (above this one) owns."""

from __future__ import annotations

from coopkit.effects import Effect

member_rejoins = Effect("workspace.member_rejoins", """Someone whose register entry has ceased (or whose
application was closed) accepts an invitation and joins again. Keyword arguments: ``member``
(the ceased entry), ``status`` ("applicant", or "founder" while forming), ``actor``.
Handled by coopkit.register (:func:`coopkit.register.services.rejoin`: a new entry for the new
membership, linked to the old one, which keeps its dates); the handler returns the new entry.""")

member_leaves = Effect("workspace.member_leaves", """A member leaves the co-op from the workspace. Keyword
arguments: ``member``, ``on`` (the date), ``reason``, ``actor``. Handled by coopkit.register
(:func:`coopkit.register.services.cease_member`: the entry is ceased, never deleted, shares
withdrawn, offices ended). A refusal is raised as :class:`coopkit.effects.Refused`.""")
