"""Starting several threads at the same moment (the concurrency tests)."""

from __future__ import annotations

import threading


def run_together(count: int, work, *, timeout: float = 120) -> list[BaseException]:
    """Start ``count`` threads that call ``work(i)`` at the same moment (a barrier), wait for
    them, and return what they raised. Fails the test if one is still running after ``timeout``."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(index)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported by the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return errors
