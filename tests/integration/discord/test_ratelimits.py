"""tend under Discord's rate limits, against the double that sends and enforces them on every route
(limits.py): each interaction's callback counts on its own token, channels share a bucket hash but
not its count, the global limit leaves interaction endpoints alone, and an interaction answered
after 3 s is refused (the `tend` fixture fails any test that caused one, or broke the spec)."""
import time

import double as dd

OTHER_CHANNEL = "900000000000000012"  # #coordination, beside #general (dd.CHANNEL_ID)


def posts_to(double, channel):
    return [r for r in double.requests
            if r["method"] == "POST" and r["path"] == "/channels/%s/messages" % channel]


def refusals(double, scope=None):
    return [r for r in double.limits.refusals if scope is None or r[1] == scope]


def test_a_burst_of_50_interactions_is_answered_within_3_seconds(tend, double):
    iid = double.slash("ana", "task", {"title": "Soup run", "slots": 3}, sub="add")
    assert double.answer(iid), tend.output()
    commands = []
    for i in range(50):
        member = ("ana", "ben", "cai")[i % 3]
        commands.append([(member, "help", None, None), (member, "tasks", None, None),
                         (member, "me", None, None), (member, "claim", {"task": "1"}, None),
                         (member, "checkin", {"energy": "ok"}, None)][i % 5])
    t0 = time.monotonic()
    ids = double.slash_burst(commands)
    assert double.wait(lambda: all(i in double.callbacks for i in ids), 4), \
        "%d of 50 answered" % sum(i in double.callbacks for i in ids)
    latencies = sorted(double.answered_at[i] - double.sent_at[i] for i in ids)
    print("\nburst of 50 interactions: all answered, the last after %.0f ms (median %.0f ms)"
          % (latencies[-1] * 1000, latencies[25] * 1000))
    assert latencies[-1] < dd.INTERACTION_DEADLINE
    assert time.monotonic() - t0 < 10
    # each interaction's own bucket was never spent, and tend never ran into a limit
    assert not double.late and not refusals(double), double.limits.refusals
    answers = [r for r in double.requests if "/callback" in r["path"] and r["t"] >= t0]
    assert len(answers) == 50


def test_one_channels_spent_bucket_does_not_delay_another_channels_post(tend, double):
    bot = "<@%s> " % dd.BOT_ID
    # tend has posted in #coordination before: it knows that route's bucket hash
    double.mention("ana", bot + "task add Blankets", channel_id=OTHER_CHANNEL)
    assert double.wait(lambda: len(posts_to(double, OTHER_CHANNEL)) == 1), tend.output()
    # five posts spend #general's 5-per-5-s bucket (the same hash as #coordination's)
    for i in range(5):
        double.mention("ana", bot + "task add Soup run %d" % i)
    assert double.wait(lambda: len(posts_to(double, dd.CHANNEL_ID)) == 5), tend.output()
    window_end = double.limits.windows[("messages", "channel/" + dd.CHANNEL_ID)][1]
    assert window_end - time.monotonic() > 1.5, "the test was too slow to find the bucket spent"
    t0 = time.monotonic()
    double.mention("ana", bot + "task add Soup run 5")
    double.mention("ana", bot + "task add Tea", channel_id=OTHER_CHANNEL)
    assert double.wait(lambda: len(posts_to(double, OTHER_CHANNEL)) == 2, 3), tend.output()
    other = posts_to(double, OTHER_CHANNEL)[-1]["t"] - t0
    assert double.wait(lambda: len(posts_to(double, dd.CHANNEL_ID)) == 6, 10), tend.output()
    general = posts_to(double, dd.CHANNEL_ID)[-1]["t"]
    print("\n#coordination's post after %.0f ms while #general's bucket was spent; "
          "#general's sixth waited %.2f s for its window" % (other * 1000, general - t0))
    assert other < 0.5
    # the spent channel waited for its own window rather than run into the limit
    assert general >= window_end - 0.05
    assert not refusals(double), double.limits.refusals


def test_a_global_429_does_not_delay_interaction_callbacks(tend, double):
    double.fail_rest(r"^POST /channels/", 429, retry_after=2.5, **{"global": True})
    double.mention("ana", "<@%s> task add Soup run" % dd.BOT_ID)
    assert double.wait(lambda: any(r.get("fault") == 429 for r in double.requests)), tend.output()
    held_at = next(r["t"] for r in double.requests if r.get("fault") == 429)
    ids = []
    for name in ("help", "tasks", "me", "help", "tasks"):
        ids.append(double.slash("ben", name))
        time.sleep(0.1)
    assert double.wait(lambda: all(i in double.callbacks for i in ids), 3), tend.output()
    worst = max(double.answered_at[i] - double.sent_at[i] for i in ids)
    print("\ncallbacks during a 2.5 s global 429: the slowest after %.0f ms" % (worst * 1000))
    assert worst < 0.5
    # the post itself waited out the global limit, then went
    assert double.wait(lambda: len(posts_to(double, dd.CHANNEL_ID)) == 2, 6), tend.output()
    assert posts_to(double, dd.CHANNEL_ID)[-1]["t"] - held_at >= 2.45
