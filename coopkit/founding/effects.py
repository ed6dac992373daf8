"""Effects the founding package announces (see :mod:`coopkit.effects`)."""

from __future__ import annotations

from coopkit.effects import Effect

rules_statuses = Effect("founding.rules_statuses", """The founding journey asks how far each co-op's rules
have got (its "rules" step is done once a version exists). Keyword argument: ``coop_ids``.
A handler returns {co-op id: status of the newest rules version}, leaving out co-ops without
rules. Handled by coopkit.rules (:func:`coopkit.rules.queries.newest_statuses`).""")
