"""A bounded in-process cache of things rendered from content: rules (coopkit.rules.render),
Markdown (coopkit.proposals.text), the co-op navigation (coopkit.web). Pure: no Flask or database."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class RenderCache:
    """A bounded, thread-safe in-process cache of rendered things, least recently used out first.
    Keys are the whole of what the result depends on (content hashes: of the rule set's id and
    version and the answers, of a stored text; or a tuple of the inputs themselves), so an entry
    never goes stale: a new version or a changed answer is a new key, and nothing expires by
    time. ``builds`` counts the renders it had to do (tests read it)."""

    def __init__(self, size: int):
        self.size = size
        self.builds = 0
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = build()  # outside the lock: two threads may both build once; same result
        with self._lock:
            self.builds += 1
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
