"""tend killed between a command's commit and its answer, against the Discord double: after the
restart the member gets that answer exactly once, the way they would still see it."""
import tempfile
import time

from conftest import Tend
import double as dd

CRASH = {"TEND_TEST_FAILPOINT": "after-commit"}
WELCOME = "Welcome! I'm tend"


def text_of(body):
    return (body.get("data") or body).get("content", "")


def everything_sent(double):
    """Every message body tend sent: callbacks and follow-ups, channel posts and DMs."""
    bodies = [b for answers in double.callbacks.values() for b in answers]
    return bodies + [b for _channel, b in double.channel_messages]


def crash_on_first_command(double, tmp, member, name, options=None, sub=None):
    first = Tend(double, tmp, env=CRASH)
    assert double.wait_ready(15), first.output()
    iid = double.slash(member, name, options, sub=sub)
    assert double.wait(lambda: first.proc.poll() is not None, 10), "the crash point did not stop tend"
    assert first.proc.returncode == -9
    first.log.close()
    assert iid not in double.callbacks, "answered before the crash point"
    return iid


def test_an_answer_cut_off_by_a_crash_arrives_once_after_a_quick_restart(double):
    with tempfile.TemporaryDirectory() as tmp:
        iid = crash_on_first_command(double, tmp, "ana", "task", {"title": "Crash soup qx7"}, sub="add")
        again = Tend(double, tmp)
        try:
            # within Discord's 3 seconds the answer is still the interaction's own callback
            assert double.wait(lambda: iid in double.callbacks, 10), again.output()
            time.sleep(0.5)
            said = [b for b in everything_sent(double) if "Crash soup qx7" in text_of(b)]
            assert len(said) == 1, said
            assert not double.violations, double.violations
        finally:
            again.stop()
        assert dd.TOKEN not in again.output()


def test_an_answer_too_late_for_its_interaction_comes_by_dm_once(double):
    with tempfile.TemporaryDirectory() as tmp:
        iid = crash_on_first_command(double, tmp, "ben", "me")
        time.sleep(3.5)  # tend stays down past the interaction's 3 seconds
        again = Tend(double, tmp)
        try:
            ben = double.members["ben"]["id"]
            assert double.wait(lambda: ben in double.dm_channels and any(
                ch == double.dm_channels[ben] for ch, _b in double.channel_messages), 10), again.output()
            time.sleep(0.5)
            # the answer, and ben's one-time welcome (his first command), each once
            assert double.wait(lambda: len([1 for ch, _b in double.channel_messages
                                            if ch == double.dm_channels[ben]]) >= 2, 5), again.output()
            dms = [b for ch, b in double.channel_messages if ch == double.dm_channels[ben]]
            assert len([b for b in dms if WELCOME in text_of(b)]) == 1, dms
            dms = [b for b in dms if WELCOME not in text_of(b)]
            assert len(dms) == 1, dms
            assert iid not in double.callbacks  # the dead interaction was not answered late
            assert dms[0].get("nonce") and dms[0].get("enforce_nonce") is True
            assert not double.violations, double.violations
        finally:
            again.stop()


def test_a_callback_discord_took_just_before_a_crash_is_not_sent_again(double):
    """tend killed after Discord accepted an answer's callback, before its outbox row was removed.
    The row is taken up again after the interaction's 3 seconds, when a callback is no longer
    possible: the interaction's original response shows the member has the answer, so it does not
    go around as a DM or a post a second time."""
    with tempfile.TemporaryDirectory() as tmp:
        welcomed = Tend(double, tmp)  # ana's first command brings her welcome: out of the way first
        assert double.wait_ready(15), welcomed.output()
        first_iid = double.slash("ana", "me")
        assert double.wait(lambda: first_iid in double.callbacks, 10), welcomed.output()
        time.sleep(0.5)
        welcomed.stop()

        killed = Tend(double, tmp, env={"TEND_TEST_FAILPOINT": "before-removal"})
        assert double.wait_ready(15), killed.output()
        iid = double.slash("ana", "task", {"title": "Delivered soup qx8"}, sub="add")
        assert double.wait(lambda: killed.proc.poll() is not None, 10), "the crash point did not stop tend"
        assert killed.proc.returncode == -9
        killed.log.close()
        assert len(double.callbacks.get(iid, [])) == 1, "Discord took the callback before the kill"
        time.sleep(3.5)  # past the interaction's 3 seconds
        token = next(t for t, i in double.tokens.items() if i == iid)
        again = Tend(double, tmp)
        try:
            def asked():
                return any(r["method"] == "GET" and token in r["path"] and r["path"].endswith("/messages/@original")
                           for r in double.requests)

            def said():
                return [b for b in everything_sent(double) if "Delivered soup qx8" in text_of(b)]
            assert double.wait(lambda: asked() or len(said()) > 1, 10), again.output()
            time.sleep(1.0)
            assert len(said()) == 1, said()  # what the member sees: the answer once
            assert asked(), "tend asked Discord whether the callback had gone"
            assert not double.violations, double.violations
            # the row is gone: a restart sends nothing more
            again.stop()
            again = Tend(double, tmp)
            time.sleep(2.0)
            assert len(said()) == 1, said()
        finally:
            again.stop()
        assert dd.TOKEN not in again.output()
