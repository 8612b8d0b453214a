"""Faults between tend and signal-cli: the event stream cut, the daemon restarted, Signal's rate
limit and I/O errors, tend killed with -9 at the worst moments. Every command is answered once:
nothing lost, nothing doubled."""
import collections
import time

import double as sd
from conftest import Tend, check_log
from test_tend_signal import ask, new, settle, to_group, wait_for


def announced(double):
    """How often each task number was announced in the group."""
    counts = collections.Counter()
    for s in double.sent:
        if s["group"] and s["text"].startswith("New task: #"):
            counts[s["text"].split()[2]] += 1
    return counts


def add_tasks(double, names):
    for name in names:
        double.say("ana", '/task add "%s"' % name)


def test_the_event_stream_cut_and_resumed_loses_and_doubles_nothing(tend, double):
    ask(double, "ana", '/task add "T0"', expect=to_group)
    for round_ in range(3):
        connections = double.stream_connections
        double.drop_streams()
        # members keep talking while tend is away: Signal's server keeps it
        add_tasks(double, ["T%d-%d" % (round_, i) for i in range(3)])
        assert double.wait(lambda: double.stream_connections > connections and double.listening(), 10), \
            "tend did not reconnect:\n" + tend.output()
        # an event in flight when a connection is cut is lost with it (signal-cli has no acks), so
        # the cut comes when the stream is idle, as a reset between messages does
        add_tasks(double, ["T%d-after" % round_])
        assert double.wait(lambda: len(announced(double)) == 5 * (round_ + 1) - round_, 10), announced(double)
    assert double.wait(lambda: len(announced(double)) == 13, 15), announced(double)
    settle(double)
    assert set(announced(double).values()) == {1}, announced(double)
    assert tend.query("SELECT count(*) FROM tasks") == [(13,)]
    assert "lost signal-cli's event stream" in tend.output()


def test_the_daemon_restarted_while_members_talk(tend, double):
    ask(double, "ana", '/task add "Before"', expect=to_group)
    started = time.time()
    double.call(double._close())  # the daemon stops: connections cut, nothing answers
    add_tasks(double, ["While down %d" % i for i in range(3)])
    time.sleep(2)
    double.call(double._listen())
    assert double.wait(lambda: len(announced(double)) == 4, 20), announced(double)
    recovered = time.time() - started
    settle(double)
    assert set(announced(double).values()) == {1}, announced(double)
    print("\nsignal-cli down for 2 s: every command answered %.1f s after it went down" % recovered)


def test_signal_slows_tend_down_and_io_errors_are_retried(tend, double):
    double.fail_next("send", -5, count=1)  # rate limited: retry after 2 s
    double.fail_next("send", -3, count=2)  # then two I/O errors
    t0 = time.time()
    s = ask(double, "ana", '/task add "Slow"', expect=to_group, timeout=30)
    assert time.time() - t0 >= 2, "tend waited as long as Signal asked"
    settle(double)
    assert announced(double) == {"#1": 1}
    assert "Signal asks tend to slow down" in tend.output()
    assert "#1 Slow" in s["text"]


def test_kill_9_after_a_commit_the_answer_arrives_once(double, tmp_path):
    t = Tend(double, str(tmp_path), env={"TEND_TEST_FAILPOINT": "after-commit"})
    assert double.wait(double.listening, 15), t.output()
    double.say("ana", '/task add "Crash soup"')
    t.proc.wait(15)
    assert t.proc.returncode == -9, "the failpoint killed tend after the commit"
    assert announced(double) == {}, "killed before sending"
    t.start(env={"TEND_TEST_FAILPOINT": ""})
    assert double.wait(lambda: announced(double) == {"#1": 1}, 15), t.output()
    settle(double)
    assert announced(double) == {"#1": 1}
    assert t.query("SELECT count(*) FROM tasks") == [(1,)]
    assert t.query("SELECT count(*) FROM outbox") == [(0,)]
    t.stop()
    t.log.close()
    check_log(t.output())


def test_kill_9_between_commands_loses_nothing_said_while_down(double, tmp_path):
    t = Tend(double, str(tmp_path))
    assert double.wait(double.listening, 15), t.output()
    ask(double, "ana", '/task add "One"', expect=to_group)
    t.kill()
    # signal-cli, like the double, notices a listener is gone only when a write to it fails (its
    # keep-alive); what arrives after that waits for the next listener
    assert double.wait(lambda: not double.listening(), 20)
    add_tasks(double, ["Two", "Three", "Four"])
    t.start()
    assert double.wait(lambda: len(announced(double)) == 4, 15), t.output()
    settle(double)
    assert set(announced(double).values()) == {1}, announced(double)
    t.stop()
    t.log.close()
    check_log(t.output())


def test_a_message_signal_cli_took_is_not_sent_again_after_a_crash(double, tmp_path):
    # Ana has met tend before: her command's one message is then the announcement (a first
    # command would also bring her welcome, and either could be the send the crash follows)
    t = Tend(double, str(tmp_path))
    assert double.wait(double.listening, 15), t.output()
    ask(double, "ana", "/tasks", expect=lambda s: "Welcome! I'm tend" in s["text"], welcome=True)
    assert double.wait(lambda: t.query("SELECT count(*) FROM outbox") == [(0,)], 15), t.output()
    t.stop()
    assert double.wait(lambda: not double.listening(), 15)
    # killed after signal-cli answered, before the outbox learned it: the mark says "sent"
    t.start(env={"TEND_TEST_FAILPOINT": "signal-after-send"})
    assert double.wait(double.listening, 15), t.output()
    double.say("ana", '/task add "Taken once"')
    t.proc.wait(15)
    assert t.proc.returncode == -9
    assert announced(double) == {"#1": 1}
    assert t.query("SELECT count(*) FROM outbox") == [(1,)], "the outbox still holds it"
    t.start(env={"TEND_TEST_FAILPOINT": ""})
    assert double.wait(lambda: t.query("SELECT count(*) FROM outbox") == [(0,)], 15), t.output()
    settle(double)
    assert announced(double) == {"#1": 1}, "not sent again"
    assert "delivered before the restart; not again" in t.output()
    # killed while signal-cli was still sending (no answer yet): signal-cli has no idempotency
    # key, so it goes again and may show twice; tend says so in its log
    double.hold_answers = 3.0
    double.say("ana", '/task add "In flight"')
    assert double.wait(lambda: "#2" in announced(double), 10)
    t.kill()
    double.hold_answers = 0.0
    t.start()
    assert double.wait(lambda: announced(double).get("#2") == 2, 15), announced(double)
    assert "may show twice" in t.output()
    t.stop()
    t.log.close()
    check_log(t.output())


def test_an_export_signal_cli_took_is_not_sent_again_after_a_crash(double, tmp_path):
    """The file travels in the same `send` as its line, so the mark that keeps a delivered message
    from going twice keeps the file from going twice too."""
    t = Tend(double, str(tmp_path))
    assert double.wait(double.listening, 15), t.output()
    ask(double, "ana", "/tasks", expect=lambda s: "Welcome! I'm tend" in s["text"], welcome=True)
    assert double.wait(lambda: t.query("SELECT count(*) FROM outbox") == [(0,)], 15), t.output()
    t.stop()
    assert double.wait(lambda: not double.listening(), 15)
    t.start(env={"TEND_TEST_FAILPOINT": "signal-after-send"})
    assert double.wait(double.listening, 15), t.output()
    double.say("ana", "/export", group=None)
    t.proc.wait(15)
    assert t.proc.returncode == -9
    files = lambda: [f for s in double.sent for f in s["attachments"]]  # noqa: E731
    assert len(files()) == 1
    t.start(env={"TEND_TEST_FAILPOINT": ""})
    assert double.wait(lambda: t.query("SELECT count(*) FROM outbox") == [(0,)], 15), t.output()
    settle(double)
    assert len(files()) == 1, "not sent again"
    assert "delivered before the restart; not again" in t.output()
    t.stop()
    t.log.close()
    check_log(t.output())
    assert not double.violations, double.violations
