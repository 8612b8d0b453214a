"""Telegram's limits kept without being told: about one message a second in a chat and at most 20 a
minute in a group. A burst of 22 posts for the group leaves at that pace, none refused, none lost,
while a member's private answer is not held up behind it."""
import time

from conftest import first_with
import double as dd

GROUP = dd.GROUP_ID
N = 22


def test_a_burst_keeps_to_one_a_second_and_twenty_a_minute(tend, double):
    d = double
    for i in range(N):
        d.says("ana", '/task add "Chore %02d"' % i)
    time.sleep(3)
    # a private answer does not wait behind the group's queue (about 20 s of paced posts): it
    # arrives while most of them still wait (counted, not timed: a loaded machine is slow anyway)
    d.says("ana", "/me", private=True)
    assert d.wait(lambda: first_with(d.in_private("ana"), "how things look") is not None, 10)
    assert len([m for m in d.in_group() if "Chore" in m["text"]]) < N - 5, "the private answer waited for the group"
    assert d.wait(lambda: len([m for m in d.in_group() if "Chore" in m["text"]]) == N, 120), tend.output()
    posts = [m for m in d.in_group() if "Chore" in m["text"]]
    assert [m["text"].split("Chore ")[1][:2] for m in posts] == ["%02d" % i for i in range(N)], "in order"
    at = [m["at"] for m in posts]
    gaps = [b - a for a, b in zip(at, at[1:])]
    assert min(gaps) >= 0.9, gaps
    # the 21st waits until the first is a minute old
    assert at[20] - at[0] >= 60, at[20] - at[0]
    print("\n%d group posts: first 20 in %.1f s, the 21st %.1f s after the first; gaps %.2f-%.2f s"
          % (N, at[19] - at[0], at[20] - at[0], min(gaps), max(gaps)))
