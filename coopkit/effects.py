"""Effects: how a lower package lets a higher one carry out a consequence, without importing it.

Packages depend on each other in one direction (``.importlinter`` states the order;
docs/DEVELOPING.md explains it). Sometimes something that happens low down has a
consequence that belongs to a package above it: registering a co-op's first rules
(coopkit.rules) makes its founders members of the register (coopkit.register). The lower
package must not import the higher one, so it *announces* a named effect and the higher
package *handles* it:

- The lower package declares the effect in its own ``effects.py``::

      coop_registered = Effect("rules.coop_registered", "The co-op's first rules were registered ...")

  and calls it where the thing happens, with keyword arguments only:
  ``effects.coop_registered(coop=coop, on=on, actor=actor, parameters=params)``.
- The higher package writes the handler in its ``handlers.py`` and connects it in a
  ``connect()`` function; ``create_app`` calls every package's ``connect()`` once
  (:func:`coopkit.blueprints.connect_effect_handlers`).

Handlers run at once, in the order they were connected, inside the caller's transaction:
like services they flush and never commit, so a refusal or an error rolls back the whole
request. A handler that refuses raises :class:`Refused` (a ``ValueError`` with a message for
the user); the announcing service turns it into its own error. Calling an effect returns
the handlers' results in a list, so an effect can also ask a question upward (see
``coopkit.founding.effects.rules_statuses``).

An effect declared ``required`` refuses to run with no handler connected, so a script that
forgot ``create_app`` fails loudly instead of silently skipping a consequence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Refused(ValueError):
    """A handler declines the consequence; the message is for the user."""


class Effect:
    """A named consequence announced by one package and handled by the packages above it."""

    def __init__(self, name: str, doc: str, *, required: bool = True):
        self.name = name
        self.__doc__ = doc
        self.required = required
        self._handlers: list[Callable[..., Any]] = []

    def connect(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``handler`` (once: connecting it again changes nothing). Usable as a decorator."""
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def disconnect(self, handler: Callable[..., Any]) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    @property
    def handlers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._handlers)

    def __call__(self, **kwargs: Any) -> list[Any]:
        if self.required and not self._handlers:
            raise RuntimeError(f"No handler is connected for the effect {self.name!r}: create_app connects them")
        return [handler(**kwargs) for handler in self._handlers]

    def __repr__(self) -> str:
        return f"<Effect {self.name} ({len(self._handlers)} handlers)>"
