"""tend killed between a command's commit and its answer, against the Discord double: after the
restart the member gets that answer exactly once, the way they would still see it."""
import tempfile
import time

from conftest import Tend
import double as dd

CRASH = {"TEND_TEST_FAILPOINT": "after-commit"}


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
            dms = [b for ch, b in double.channel_messages if ch == double.dm_channels[ben]]
            assert len(dms) == 1, dms
            assert iid not in double.callbacks  # the dead interaction was not answered late
            assert dms[0].get("nonce") and dms[0].get("enforce_nonce") is True
            assert not double.violations, double.violations
        finally:
            again.stop()
