"""Turn ffmpeg `-progress` output into fractions for a callback."""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[float], None]


class Progress:
    """Turn `-progress` lines into monotonic fractions for a callback."""

    def __init__(self, duration: float, callback: ProgressFn | None) -> None:
        self.duration = max(duration, 1e-3)
        self.callback = callback
        self.last = 0.0

    def line(self, line: str) -> None:
        """Handle one `key=value` progress line."""
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.isdigit():
            self.emit(min(1.0, int(value) / 1e6 / self.duration))

    def emit(self, fraction: float) -> None:
        """Report `fraction` if it moved forward."""
        if self.callback is not None and fraction > self.last:
            self.last = fraction
            self.callback(fraction)

    def finish(self) -> None:
        """Report completion."""
        if self.callback is not None and self.last < 1.0:
            self.last = 1.0
            self.callback(1.0)
