"""A progress bar with the rate, on stderr; a line every few seconds when not a terminal."""

import sys
import time

WIDTH = 30
QUIET_SECONDS = 5.0


class Progress:
    def __init__(self, total: int, *, unit: str = "cases", stream=None):
        self.total, self.unit = total, unit
        self.stream = stream or sys.stderr
        self.started = self.shown = time.monotonic()
        self.interactive = self.stream.isatty()

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        finished = done >= self.total
        if not (self.interactive or finished or now - self.shown >= QUIET_SECONDS):
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        left = (self.total - done) / rate if rate else 0
        filled = WIDTH * done // max(self.total, 1)
        line = (
            f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done:,}/{self.total:,} {self.unit}  "
            f"{rate:,.0f} {self.unit}/s  {'done in' if finished else 'about'} "
            f"{elapsed if finished else left:,.0f} s"
        )
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
