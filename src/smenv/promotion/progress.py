"""A bytes-copied bar on stderr for large copies: thread-safe, throttled, off when not a terminal."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from smenv.promotion.plan import human

WIDTH = 28


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.label, self.total = label, max(total, 1)
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._drawn = 0.0

    def add(self, count: int) -> None:
        with self._lock:
            self.done += count
            now = time.monotonic()
            if self.enabled and (now - self._drawn >= 0.1 or self.done >= self.total):
                self._drawn = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        share = min(self.done / self.total, 1.0)
        filled = int(share * WIDTH)
        rate = self.done / max(now - self._started, 1e-6)
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(
            f"\r  {self.label[:40]:<40} [{bar}] {human(self.done):>10} / {human(self.total):<10} {share:4.0%}  {human(int(rate))}/s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            with self._lock:
                self._draw(time.monotonic())
                self.stream.write("\n")
                self.stream.flush()


class NoProgress(Progress):
    def __init__(self) -> None:
        super().__init__("", 1, enabled=False)
