"""The clock of a long run's progress lines (`validate --store` over a nation, `build --store`): the time
so far and an estimate of the time left, from the rate of the items done."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """A time as a person reads it: "40 s", "6 min 10 s", "1 h 05 min"."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def time_left(done: int, total: int, elapsed: float) -> str:
    """The progress line's clock: the time so far and, at the rate of the reports done (with several
    jobs, they finish at the rate the jobs give together), the time the others will take."""
    if done >= total:
        return f"{duration(elapsed)} in all"
    left = elapsed / done * (total - done) if done else 0.0
    return f"{duration(elapsed)} so far, about {duration(left)} left"
