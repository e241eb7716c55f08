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


def time_left(done: int, total: int, elapsed: float, since: tuple[int, float] | None = None) -> str:
    """The progress line's clock: the time so far and, at the rate of the items done (with several jobs,
    they finish at the rate the jobs give together), the time the others will take. `since`: (items
    done, time) at a point after which the rate is steadier, e.g. once each job has done its first item
    (which pays the validator's import and parsing: 23 s of a 3.5 min run, an estimate five times too
    long if it were counted in the rate)."""
    if done >= total:
        return f"{duration(elapsed)} in all"
    if since is not None and done > since[0]:
        rate = (elapsed - since[1]) / (done - since[0])
    else:
        rate = elapsed / done if done else 0.0
    return f"{duration(elapsed)} so far, about {duration(rate * (total - done))} left"
