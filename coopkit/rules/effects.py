"""Effects the rules package announces (see :mod:`coopkit.effects`)."""

from __future__ import annotations

from coopkit.effects import Effect

coop_registered = Effect("rules.coop_registered", """The co-op's first rules were registered: it is now a
registered society or company. Keyword arguments: ``coop``, ``on`` (the date registered),
``actor``, ``secretary_member_id`` (the register row the founders chose as secretary, or None).
A handler returns the members it admitted. Handled by coopkit.register: the founders become
members with their membership share and the chosen secretary takes office.""")
