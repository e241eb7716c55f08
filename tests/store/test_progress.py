"""The clock on a long run's progress lines (`validate --store`, `build --store`): the time so far and the
time left at the rate of the items done."""

from __future__ import annotations

import re

import pytest

from outcome_graph.store.progress import duration, time_left


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0 s"),
        (0.4, "0 s"),
        (59.4, "59 s"),
        (60, "1 min 0 s"),
        (370, "6 min 10 s"),
        (3599, "59 min 59 s"),
        (3600, "1 h 00 min"),
        (3 * 3600 + 5 * 60 + 59, "3 h 05 min"),
        (-3, "0 s"),
    ],
)
def test_a_duration_reads_as_a_person_says_it(seconds, text):
    assert duration(seconds) == text


def _seconds(text: str) -> int:
    h = re.search(r"(\d+) h", text)
    m = re.search(r"(\d+) min", text)
    s = re.search(r"(\d+) s", text)
    return sum(int(x.group(1)) * k for x, k in ((h, 3600), (m, 60), (s, 1)) if x)


@pytest.mark.parametrize("total", [1, 2, 47, 320, 1504])
def test_the_time_left_is_the_rate_so_far_times_what_is_left(total):
    rate = 1.7  # seconds a report
    for done in range(1, total + 1, max(1, total // 13)):
        line = time_left(done, total, elapsed=rate * done)
        if done == total:
            assert line == f"{duration(rate * done)} in all"
            continue
        so_far, left = re.fullmatch(r"(.+) so far, about (.+) left", line).groups()
        assert so_far == duration(rate * done)
        # to the minute when hours are shown, else to the second
        assert abs(_seconds(left) - rate * (total - done)) <= (60 if "h" in left else 1)
    assert time_left(total, total, 5.0) == "5 s in all"


def test_the_rate_can_leave_out_the_first_items():
    # two jobs whose first reports took 23 s each (pySHACL's import), then 4 s a report: at the tenth
    # report the time left is the steady rate's, not the start's
    elapsed = 23 + 4 * 8
    assert time_left(10, 47, elapsed) == "55 s so far, about 3 min 24 s left"  # 5.5 s a report
    assert time_left(10, 47, elapsed, since=(2, 23.0)) == "55 s so far, about 2 min 28 s left"  # 4 s
    assert (
        time_left(2, 47, 23.0, since=(2, 23.0)) == "23 s so far, about 8 min 38 s left"
    )  # no steady rate yet
    assert time_left(47, 47, 211.0, since=(2, 23.0)) == "3 min 31 s in all"
