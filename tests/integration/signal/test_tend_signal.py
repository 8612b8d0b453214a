"""The real tend binary against the signal-cli double: what members of a Signal group do, and what
they see in the group and in their 1:1 chats with tend."""
import calendar
import json
import os
import re
import time

import double as sd

FFFC = "\ufffc"
KEYCAP_1 = "1\ufe0f\u20e3"


def new(double, mark):
    return double.sent[mark:]


def wait_for(double, mark, pred, what, timeout=10):
    ok = double.wait(lambda: any(pred(s) for s in new(double, mark)), timeout)
    assert ok, "no %s; tend sent: %r" % (what, new(double, mark))
    return next(s for s in new(double, mark) if pred(s))


def to_group(s):
    return s["group"]


def to_member(who):
    return lambda s: not s["group"] and s["to"] == sd.Double().members[who]["uuid"]


WELCOME = "Welcome! I'm tend"


def ask(double, who, text, group="Food Bank", mentions=(), expect=None, timeout=10, welcome=False):
    """A member types text; returns the first thing tend sends that matches expect (default: any).
    A member's first command in a group also brings the one-time welcome to their 1:1 chat, which
    may arrive after the answer to a later command: it counts only when asked for (welcome=True)."""
    mark = len(double.sent)
    double.say(who, text, group=group, mentions=mentions)
    want = expect or (lambda s: True)
    match = want if welcome else (lambda s: WELCOME not in s["text"] and want(s))
    return wait_for(double, mark, match, "answer to %r" % text, timeout)


def settle(double, seconds=1.0):
    """Waits until tend has said nothing new for a moment."""
    last, quiet_since = len(double.sent), time.time()
    while time.time() - quiet_since < seconds:
        time.sleep(0.05)
        if len(double.sent) != last:
            last, quiet_since = len(double.sent), time.time()


def test_core_flow_in_a_signal_group(tend, double):
    # a task posted in the group is announced there, with the command to claim it
    s = ask(double, "ana", '/task add "Soup run" slots:2', expect=to_group)
    assert s["to"] == sd.group_id("foodbank")
    assert "#1 Soup run (0 of 2 people)" in s["text"] and "Claim: /claim 1" in s["text"], s["text"]
    assert s["quote"] is not None, "the answer in the group quotes the command"
    # ben claims by typing (with Signal's "!"); his confirmation is private, in his 1:1 chat
    s = ask(double, "ben", "!claim 1")
    assert to_member("ben")(s) and "is yours" in s["text"], s
    # cai carries little: her capacity is 1, so a second task asks her privately to confirm,
    # and a reaction in her 1:1 chat is the one tap that confirms
    ask(double, "cai", "/capacity 1", group=None, expect=to_member("cai"))
    ask(double, "ana", '/task add "Pantry shift" weight:2', expect=to_group)
    confirm = ask(double, "cai", "/claim 2", expect=to_member("cai"))
    assert "React to answer: " + KEYCAP_1 + " Claim it anyway" in confirm["text"], confirm["text"]
    mark = len(double.sent)
    double.react("cai", confirm["ts"], KEYCAP_1)
    s = wait_for(double, mark, to_member("cai"), "the claim confirmed by a reaction")
    assert "#2 Pantry shift" in s["text"] and "is yours" in s["text"], s["text"]
    # (the claim takes her over her capacity: her private nudge follows; let it arrive first)
    settle(double)
    # a reaction on anything else answers nothing
    mark = len(double.sent)
    double.react("cai", confirm["ts"] - 1, KEYCAP_1)
    settle(double)
    assert new(double, mark) == []
    # done: celebrated in the group, pinging ben alone
    s = ask(double, "ben", "/done 1", expect=to_group)
    assert "#1 Soup run is done" in s["text"] and "@Ben" in s["text"], s["text"]
    assert [m[2] for m in s["mentions"]] == ["ben"], s
    # thanks with a mention: Signal puts U+FFFC where the mention is, counted in UTF-16 units;
    # the "@everyone" in the note pings nobody
    text = "/thanks " + FFFC + " for the soup \U0001F33F @everyone"
    s = ask(double, "ana", text, mentions=[("ben", 8, 1)], expect=to_group)
    assert "Ana thanks @Ben for the soup \U0001F33F @everyone" in s["text"], s["text"]
    assert [m[2] for m in s["mentions"]] == ["ben"], "exactly one member pinged: %r" % (s,)
    start, length, _ = s["mentions"][0]
    assert sd.utf16_slice(s["text"], start, length) == "@Ben"
    # a wrong command gets one line, privately
    mark = len(double.sent)
    double.say("dee", "/frobnicate 12")
    s = wait_for(double, mark, to_member("dee"), "the answer to a wrong command")
    settle(double)
    assert len(new(double, mark)) == 1 and "I don't know /frobnicate" in s["text"], new(double, mark)
    assert s["text"].count("\n") == 0
    # tend's own account typing on its phone is not a member: nothing happens
    mark = len(double.sent)
    double.sync_message("/tasks")
    settle(double)
    assert new(double, mark) == []
    # ana is the group's admin, so a coordinator; ben is not
    assert "Only the group's coordinators" in ask(double, "ben", "/team", expect=to_member("ben"))["text"]
    assert "Only the group's coordinators" not in ask(double, "ana", "/team", expect=to_member("ana"))["text"]
    out = os.environ.get("TEND_SIGNAL_TRANSCRIPT")
    if out:
        with open(out, "w") as f:
            f.write("\n".join(double.transcript) + "\n")


def test_a_private_command_typed_in_the_group_records_nothing(tend, double):
    mark = len(double.sent)
    double.say("cai", "/checkin low so tired this week")
    s = wait_for(double, mark, to_member("cai"), "the pointer to the 1:1 chat")
    settle(double)
    assert [x for x in new(double, mark) if x["group"]] == [], "the group hears nothing"
    assert "stays between us" in s["text"] and "/checkin to me in our private chat" in s["text"], s["text"]
    assert tend.query("SELECT count(*) FROM checkins") == [(0,)]
    assert tend.query("SELECT count(*) FROM members") == [(0,)], "not even the member was recorded"
    # typed in the 1:1 chat, it is recorded, and the answer stays there
    s = ask(double, "cai", "/checkin low so tired this week", group=None)
    assert to_member("cai")(s) and "Low weeks happen" in s["text"], s
    assert tend.query("SELECT energy FROM checkins") == [("low",)]


def test_the_weekly_check_in_is_answered_privately_in_1to1_chats(tend, double):
    """The prompt is scheduled: the check-in time is set to the current minute (UTC), which fires at
    once when the group is older than that minute (else the test waits for the next minute)."""
    ask(double, "ana", '/task add "Van" slots:1', expect=to_group)
    born = time.time()
    if int(time.time()) // 60 * 60 <= born + 1:
        time.sleep(60 - time.time() % 60 + 1)
    t = time.gmtime()
    when = "%s %02d:%02d" % (calendar.day_abbr[t.tm_wday].lower(), t.tm_hour, t.tm_min)
    mark = len(double.sent)
    double.say("ana", '/setup checkin:"%s" timezone:UTC' % when)
    prompt = wait_for(double, mark, lambda s: s["group"] and "Weekly check-in" in s["text"], "the prompt", 30)
    assert "sent each of you a private check-in" in prompt["text"] and "#1 Van" in prompt["text"], prompt["text"]
    assert "React" not in prompt["text"], "a reaction in the group would be seen by everyone"
    # ana, whom tend knows already, is asked in her 1:1 chat, where a tap is hers alone
    own = wait_for(double, mark, lambda s: to_member("ana")(s) and "How are you doing" in s["text"], "ana's ask")
    assert "React to answer: \U0001F31F Great" in own["text"], own["text"]
    settle(double)  # the same firing may post more (the monthly process check-in): let it finish
    # ben asks for his own prompt in his 1:1 chat and answers it with one tap there
    mine = ask(double, "ben", "/checkin", group=None)
    assert to_member("ben")(mine) and "React to answer: \U0001F31F Great" in mine["text"], mine["text"]
    settle(double)  # his first command also brings the one-time welcome: let it arrive first
    mark = len(double.sent)
    double.react("ben", mine["ts"], "\U0001FAAB")  # 🪫 low
    s = wait_for(double, mark, lambda x: to_member("ben")(x) and "Low weeks happen" in x["text"],
                 "the answer to ben's check-in")
    assert "\U0001F33F Step back" in s["text"], s["text"]
    # cai types hers in her 1:1 chat
    mark = len(double.sent)
    double.say("cai", "!checkin great", group=None)
    wait_for(double, mark, lambda x: to_member("cai")(x) and "Glad to hear it" in x["text"], "cai's answer")
    settle(double)
    later = [x["text"] for x in double.sent[double.sent.index(prompt) + 1:] if x["group"]]
    assert not [t for t in later if any(w in t for w in ("Ben", "Cai", "low", "great", "Low", "Great"))], \
        "nothing of the answers reaches the group: %r" % later
    assert sorted(tend.query("SELECT energy FROM checkins")) == [("great",), ("low",)]


def test_a_member_of_two_groups_names_the_group_once(tend, double):
    double.groups[sd.group_id("drivers")] = {"name": "Drivers", "members": ["ana", "dee"], "admins": ["dee"]}
    ask(double, "ana", '/task add "Tyres"', expect=to_group)
    ask(double, "ana", '/task add "Route plan"', group="Drivers", expect=to_group)
    # ana's last group was Drivers: her 1:1 commands act there
    s = ask(double, "ana", "/tasks", group=None)
    assert "Route plan" in s["text"] and "Tyres" not in s["text"], s["text"]
    # dee is only in Drivers: no question
    s = ask(double, "dee", "/tasks", group=None)
    assert "Route plan" in s["text"], s["text"]
    # a name picks the group and is remembered
    s = ask(double, "ana", "/tasks group:food", group=None)
    assert "Tyres" in s["text"] and "Route plan" not in s["text"], s["text"]
    s = ask(double, "ana", "/tasks", group=None)
    assert "Tyres" in s["text"], s["text"]
    s = ask(double, "ana", "/tasks group:nowhere", group=None)
    assert "couldn't find the group" in s["text"] and "Food Bank, Drivers" in s["text"], s["text"]
    # ana chooses German for herself, in each of her groups: what the adapter itself tells her alone
    # is German too (a name it cannot find, the hint for a 1:1 message that is no command)
    for group in ("food", "drivers"):
        s = ask(double, "ana", "/profile language:de group:%s" % group, group=None)
        assert "Gespeichert" in s["text"], s["text"]
    s = ask(double, "ana", "/tasks group:nowhere", group=None)
    assert s["text"].startswith("Die Gruppe „nowhere“ finde ich") and "Food Bank, Drivers" in s["text"], s["text"]
    s = ask(double, "ana", "hallo", group=None)
    assert s["text"].startswith("Hallo! Ich bin tend. Schreib /help"), s["text"]
    # Drivers speaks Spanish: dee (who never chose) is asked in Spanish, the tap-to-answer line too
    ask(double, "dee", "/setup language:es", group="Drivers", expect=lambda x: "Guardado" in x["text"])
    s = ask(double, "dee", "/checkin", group=None)
    assert "¿Cómo estás esta semana?" in s["text"] and "Reacciona para responder: " in s["text"], s["text"]
    assert "React" not in s["text"], s["text"]
    # someone in no group of tend's is told so, once per message
    double.members["eve"] = {"uuid": "e5e5e5e5-0000-4000-8000-000000000005", "number": None, "name": "Eve"}
    s = ask(double, "eve", "/tasks", group=None)
    assert "couldn't find you in one" in s["text"], s["text"]


def test_an_export_arrives_as_an_attachment_in_the_1to1_chat_only(tend, double):
    """/export: one message in the member's 1:1 chat, the line that names the file with the file
    attached (a data URI signal-cli reads, byte for byte); the JSON is in no message text, and the
    group hears nothing of it."""
    ask(double, "cai", "/task add Pantry shift \U0001F96B caf\u00e9", expect=to_group)
    ask(double, "cai", "/claim 1", expect=to_member("cai"))
    mark = len(double.sent)
    s = ask(double, "cai", "/export", group=None, expect=lambda s: to_member("cai")(s) and "as a file" in s["text"])
    assert len(s["attachments"]) == 1, s
    f = s["attachments"][0]
    assert f["filename"] in s["text"] and re.fullmatch(r"tend-export-\d{4}-\d{2}-\d{2}\.json", f["filename"])
    assert f["contentType"] == "application/json"
    exported = json.loads(f["data"].decode("utf-8"))
    assert exported["profile"]["name"] == "Cai", exported["profile"]
    assert "Pantry shift \U0001F96B caf\u00e9" in f["data"].decode("utf-8"), "the bytes arrive as tend wrote them"
    assert '"profile"' not in s["text"], "the JSON is no longer inlined"
    settle(double)
    assert [x for x in new(double, mark) if x["group"]] == [], "the group hears nothing"
    assert [x for x in new(double, mark) if x["attachments"]] == [s], "one file, once"
    assert not double.violations, double.violations


def test_a_calendar_asked_in_the_group_arrives_as_an_ics_file_in_the_1to1_chat(tend, double):
    ask(double, "ana", "/task add Soup run when:tomorrow 18:00", expect=to_group)
    mark = len(double.sent)
    s = ask(double, "ana", "/tasks ics", expect=lambda s: to_member("ana")(s) and bool(s["attachments"]))
    f = s["attachments"][0]
    assert f["contentType"] == "text/calendar" and f["filename"].endswith(".ics") and f["filename"] in s["text"]
    ics = f["data"].decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and "SUMMARY:Soup run" in ics, ics
    settle(double)
    assert [x for x in new(double, mark) if x["group"]] == [], "the group hears nothing"
    assert not double.violations, double.violations
