"""The real tend binary against the Bot API double: the core flow of a group (a task with a Claim
button, claims by button and by command, done, thanks that pings one member, a wrong command), the
private chat, coordinators from the group's admins, the command menu, and the weekly check-in.
The `tend` fixture fails a test that made a protocol mistake, went past Telegram's rate limits or
let the token reach the log."""
import json
import os
import re
import time

from conftest import Tend, check_log, first_with, ready, texts
import tenddb
import double as dd

GROUP = dd.GROUP_ID


def wait_private(double, who, part, timeout=10):
    assert double.wait(lambda: first_with(double.in_private(who), part) is not None, timeout), \
        "%s never got %r; they got %r" % (who, part, texts(double.in_private(who)))
    return first_with(double.in_private(who), part)


def wait_group(double, part, timeout=10):
    assert double.wait(lambda: first_with(double.in_group(), part) is not None, timeout), \
        "the group never got %r; it got %r" % (part, texts(double.in_group()))
    return first_with(double.in_group(), part)


def test_start_registers_the_menus_and_long_polls(tend, double):
    assert double.wait(lambda: "all_chat_administrators" in double.commands and "default" in double.commands)
    members = {c["command"] for c in double.commands["default"]}
    admins = {c["command"] for c in double.commands["all_chat_administrators"]}
    assert {"claim", "task", "done", "thanks", "checkin", "me", "help"} <= members
    assert "pause_new" in admins and "pause_new" not in members and "setup" not in members
    # the same menus for a member whose app speaks Spanish (or Portuguese): the descriptions in their
    # language, the command words as they are typed everywhere
    assert double.wait(lambda: ("default", "es") in double.commands_in and ("all_chat_administrators", "pt")
                       in double.commands_in)
    es = {c["command"]: c["description"] for c in double.commands_in[("default", "es")]}
    assert set(es) == members
    assert es["checkin"] != {c["command"]: c["description"] for c in double.commands["default"]}["checkin"]
    assert "semana" in es["checkin"] and "privad" in es["checkin"]
    assert "pause_new" in {c["command"] for c in double.commands_in[("all_chat_administrators", "pt")]}
    polls = [p for _t, m, p in double.requests if m == "getupdates"]
    assert polls[0]["timeout"] == 30
    assert set(polls[0]["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
    # added to a group: one introduction, once
    double.bot_added_to_group()
    intro = wait_group(double, "Hi, I'm tend")
    assert "/help" in intro["text"] and intro["pings"] == []


def test_core_flow(tend, double):
    d = double
    cmd, _ = d.says("ana", '/task add "Soup run @everyone" slots:2')
    ann = wait_group(d, "Soup run")
    assert ann["pings"] == [], "a title that says @everyone pings nobody"
    assert ann["reply_to_message"]["message_id"] == cmd["message_id"]
    button = ann["reply_markup"]["inline_keyboard"][0][0]
    assert button["callback_data"] == "1|%d|claim 1" % GROUP and "Claim" in button["text"]

    # Ben claims with the button: the answer is private, the press answered once
    cid = d.press("ben", ann, "Claim")
    wait_private(d, "ben", "is yours")
    assert d.wait(lambda: d.callbacks[cid]["answered"] == 1)

    # Cai claims by typing, and has never opened the private chat with the bot: one line in the
    # group pings Cai alone with the link that opens it; the answer waits there
    d.says("cai", "/claim 1")
    line = wait_group(d, "t.me/%s?start=" % dd.BOT["username"])
    assert line["pings"] == [5003] and "yours" not in line["text"]
    payload = re.search(r"\?start=([A-Za-z0-9_-]+)", line["text"]).group(1)
    assert payload == "g%d" % GROUP
    d.opens_private_chat("cai", payload)
    wait_private(d, "cai", "is yours")

    # done: a celebration in the group, pinging the two who did it and nobody else
    d.says("ben", "/done 1 note:all delivered")
    done = wait_group(d, "is done!")
    assert sorted(done["pings"]) == [5002, 5003]

    # thanks with a mention picked in the app: a ping for Ana alone
    d.says("ben", "/thanks {ana} for the soup")
    thanks = wait_group(d, "thanks Ana")
    assert thanks["pings"] == [5001]
    assert [e["type"] for e in thanks["entities"]] == ["text_mention"]

    # a wrong command: one line, in private, and nothing in the group
    before = len(d.in_group())
    d.says("ben", "/clam 1")
    wrong = wait_private(d, "ben", "/clam")
    assert wrong["text"].count("\n") == 0

    # coordinators are the group's admins: Ana is its creator, Ben is not
    d.says("ben", "/pause_new")
    wait_private(d, "ben", "Only the group's coordinators")
    d.says("ana", "/team")
    wait_private(d, "ana", "How the group is doing")
    assert len(d.in_group()) == before

    # every press was answered, once
    assert all(cb["answered"] == 1 for cb in d.callbacks.values())
    # the transcript of the flow, as the double recorded it
    path = os.environ.get("TEND_TELEGRAM_TRANSCRIPT")
    if path:
        with open(path, "w") as f:
            f.write("\n".join(d.transcript) + "\n")
    print("\n--- the core flow as the double recorded it ---\n" + "\n".join(d.transcript))


def test_a_private_command_in_the_group_records_nothing_and_points_to_the_private_chat(tend, double):
    d = double
    d.says("ana", "/task add Pantry shift")
    wait_group(d, "Pantry shift")
    d.says("ben", "/claim 1")
    wait_private(d, "ben", "is yours")
    before = len(d.in_group())
    # Ben's load is his: asked in the group, it is not answered there; he is pointed, privately,
    # to the private chat (PRODUCT.md: private commands typed where others read them record nothing)
    d.says("ben", "/me")
    wait_private(d, "ben", "just between you and me")
    time.sleep(1.2)
    assert len(d.in_group()) == before
    assert first_with(d.in_private("ben"), "how things look") is None

    # the group speaks Spanish from here on (what everyone reads); members' own Telegram is English
    d.says("ana", "/setup language:es")
    wait_private(d, "ana", "Language: español (es)")
    # tend added to the group again: its hello is in the group's language
    d.bot_added_to_group()
    intro = wait_group(d, "Hola, soy tend")
    assert "Escribe /help para ver lo que puedo hacer" in intro["text"], intro["text"]
    # Dee never opened the private chat: the group hears one line that pings her with the link,
    # and nothing of what she said; her check-in typed in the group is not recorded
    d.says("dee", "/checkin low tired")
    line = wait_group(d, "start=")
    assert line["pings"] == [5004]
    assert "tengo algo solo para ti" in line["text"], "the adapter's own line, in the group's language"
    assert "tired" not in line["text"] and "low" not in line["text"].lower()
    d.says("dee", "/me")
    time.sleep(2.5)
    assert len([m for m in d.in_group() if "start=" in m["text"]]) == 1, "pointed once, not per message"
    d.opens_private_chat("dee", "g%d" % GROUP)
    assert d.wait(lambda: first_with(d.in_private("dee"), "just between you and me") is not None, 10)
    assert first_with(d.in_private("dee"), "Thanks for telling me") is None, "recorded from the group"

    # the private chat is the place for them: they act on the member's group
    d.says("dee", "/checkin low tired", private=True)
    wait_private(d, "dee", "Thanks for telling me")
    d.says("dee", "/me", private=True)
    assert d.wait(lambda: len([t for t in texts(d.in_private("dee")) if "how things look" in t]) == 1)
    assert "last check-in: low" in [t for t in texts(d.in_private("dee")) if "how things look" in t][-1]
    # someone the bot never saw in a group is told how to begin (in English: tend knows nothing of them
    # but their English Telegram)
    d.says("eve", "/me", private=True)
    wait_private(d, "eve", "which group")
    # Ben reads German by his own choice: the adapter's hint for chat that is no command is German too
    d.says("ben", "/profile language:de", private=True)
    wait_private(d, "ben", "Gespeichert")
    d.says("ben", "hallo", private=True)
    hint = wait_private(d, "ben", "Hier lese ich Befehle")
    assert "/help" in hint["text"], hint["text"]
    d.says("ben", "/profile language:off", private=True)
    wait_private(d, "ben", "Saved")

    # Ben blocks the bot: his answers wait for him, and the group hears nothing of it
    d.blocked.add(5002)
    before, mark = len(d.in_group()), len(d.requests)
    d.says("ben", "/tasks mine")
    assert d.wait(lambda: any(m == "sendmessage" and str(p.get("chat_id")) == "5002"
                              for _t, m, p in d.requests[mark:]), 10)
    time.sleep(1.5)
    assert len(d.in_group()) == before
    d.opens_private_chat("ben")
    wait_private(d, "ben", "Your tasks")
    # a member's private chat is never named in the log by their id
    for member_id in ("5002", "5004", "5005"):
        assert member_id not in tend.output()


def export_name(text):
    m = re.search(r"(tend-export-\d{4}-\d{2}-\d{2}\.json)", text)
    assert m, text
    return m.group(1)


def test_an_export_arrives_as_a_document_in_the_private_chat_only(tend, double):
    """/export: the line that names the file, then the file itself (sendDocument, uploaded), in
    the member's private chat; the JSON is in the file and in no message, and the group gets
    nothing of it."""
    d = double
    d.says("ana", "/task add Pantry shift 🥫 café")
    wait_group(d, "Pantry shift")
    d.says("ben", "/claim 1")
    wait_private(d, "ben", "is yours")
    before = len(d.in_group())
    d.says("ben", "/export", private=True)
    line = wait_private(d, "ben", "as a file")
    assert d.wait(lambda: d.documents_to(5002), 10), texts(d.in_private("ben"))
    doc = d.documents_to(5002)[0]
    assert doc["message_id"] > line["message_id"], "the file comes after the line that names it"
    assert doc["document"]["file_name"] == export_name(line["text"])
    assert doc["document"]["mime_type"] == "application/json"
    assert doc["document"]["file_size"] == len(doc["data"])
    exported = json.loads(doc["data"].decode("utf-8"))
    assert exported["profile"]["name"] == "Ben", exported["profile"]
    assert "Pantry shift 🥫 café" in doc["data"].decode("utf-8"), "the bytes arrive as tend wrote them"
    assert not any('"profile"' in t for t in texts(d.in_private("ben"))), "the JSON is no longer inlined"
    time.sleep(1.5)
    assert len(d.in_group()) == before and d.documents_to(GROUP) == []
    assert len(d.documents_to(5002)) == 1
    uploads = [p for _t, m, p in d.requests if m == "senddocument"]
    assert len(uploads) == 1 and set(uploads[0]) == {"chat_id", "document"}
    assert uploads[0]["chat_id"] == "5002"


def test_a_calendar_asked_in_the_group_goes_to_the_private_chat_as_an_ics_file(tend, double):
    d = double
    d.says("ana", "/task add Soup run when:tomorrow 18:00")
    wait_group(d, "Soup run")
    d.says("ana", "/claim 1")
    wait_private(d, "ana", "is yours")
    before = len(d.in_group())
    d.says("ana", "/tasks ics mine")
    assert d.wait(lambda: d.documents_to(5001), 10), texts(d.in_private("ana"))
    doc = d.documents_to(5001)[0]
    assert doc["document"]["mime_type"] == "text/calendar"
    assert re.fullmatch(r"tend-my-tasks-\d{4}-\d{2}-\d{2}\.ics", doc["document"]["file_name"])
    ics = doc["data"].decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and "SUMMARY:Soup run" in ics, ics
    time.sleep(1.5)
    assert len(d.in_group()) == before and d.documents_to(GROUP) == []


def test_a_file_for_someone_who_never_opened_the_chat_waits_with_its_line(tend, double):
    """Cai never opened the private chat and asks for the group's calendar in the group: the group
    hears one line that pings Cai alone, with the link; the file (and the line naming it) wait,
    and both arrive, once, when Cai opens the chat."""
    d = double
    d.says("ana", "/task add Soup run when:tomorrow 18:00")
    wait_group(d, "Soup run")
    d.says("cai", "/tasks ics")
    pointer = wait_group(d, "open our chat")
    assert pointer["pings"] == [5003]
    time.sleep(1.5)
    assert d.documents_to(5003) == [] and d.documents_to(GROUP) == []
    assert not any("VCALENDAR" in t for t in texts(d.in_group()))
    d.opens_private_chat("cai")
    line = wait_private(d, "cai", "calendar file")
    assert d.wait(lambda: d.documents_to(5003), 10), texts(d.in_private("cai"))
    doc = d.documents_to(5003)[0]
    assert doc["message_id"] > line["message_id"]
    assert doc["document"]["file_name"] in line["text"] and doc["document"]["mime_type"] == "text/calendar"
    assert "SUMMARY:Soup run" in doc["data"].decode("utf-8")
    time.sleep(1.2)
    assert len(d.documents_to(5003)) == 1 and d.documents_to(GROUP) == []


def test_the_weekly_check_in_prompt_comes_once_by_catch_up(double, tmp):
    """The check-in time is seeded a few minutes back (the group older than that) while tend is
    down: the scheduler's catch-up posts the prompt once at start, never again after a restart."""
    d = double
    t = Tend(d, tmp)
    try:
        assert ready(d), t.output()
        d.says("ana", "/help")
        wait_private(d, "ana", "what I can do")
    finally:
        t.stop()
    at = time.gmtime(time.time() - 180)
    day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][at.tm_wday]
    checkin_at, key = "%s %02d:%02d" % (day, at.tm_hour, at.tm_min), "telegram:%d" % GROUP
    # the same statement in both dialects; the values are the test's own (a day, a time, a key)
    update = "UPDATE groups SET created_at = created_at - 3600, checkin_at = '%s' WHERE key = '%s'" % (checkin_at, key)
    tenddb.execute(t.db, update, update)
    assert tenddb.count(t.db, "SELECT count(*) FROM groups WHERE key = ? AND checkin_at = ?", key, checkin_at) == 1
    mark = len(d.requests)
    t = Tend(d, tmp)
    try:
        assert ready(d, mark), t.output()
        prompt = wait_group(d, "Weekly check-in")
        assert prompt["pings"] == []
        labels = [b["text"] for row in prompt["reply_markup"]["inline_keyboard"] for b in row]
        assert len(labels) == 4 and any("OK" in x for x in labels)
        datas = [b["callback_data"] for row in prompt["reply_markup"]["inline_keyboard"] for b in row]
        assert "1|%d|checkin ok" % GROUP in datas
        # a tap is seen by Ben alone; the thanks comes privately
        d.press("ben", prompt, "OK")
        wait_private(d, "ben", "Thanks for checking in")
        d.says("ben", "/me", private=True)
        assert d.wait(lambda: "last check-in: ok" in (texts(d.in_private("ben")) or [""])[-1])
    finally:
        t.stop()
    check_log(t.output())
    mark = len(d.requests)
    t = Tend(d, tmp)
    try:
        assert ready(d, mark), t.output()
        time.sleep(2)
        assert len([m for m in d.in_group() if "Weekly check-in" in m["text"]]) == 1
    finally:
        t.stop()
    assert not d.violations and not d.earned_429


def test_what_was_held_goes_out_when_a_later_message_gets_through_first(tend, double):
    d = double
    d.says("ana", '/task add "Rake leaves"')
    wait_group(d, "Rake leaves")
    # Cai never opened the private chat: his answer and his welcome wait for him
    d.says("cai", "/claim 1")
    wait_group(d, "start=")
    # he taps Start in the app, and before tend has read that update a private answer of a later
    # command reaches him: what waited goes too, not only after some later /start
    d.started.add(d.members["cai"]["id"])
    d.says("cai", "/help")
    wait_private(d, "cai", "what I can do")
    wait_private(d, "cai", "is yours")
    wait_private(d, "cai", "Welcome! I'm tend")


def test_privacy_mode_and_commands_for_another_bot(tend, double):
    d = double
    # another bot spoke last: Telegram keeps plain /commands from tend, so members add @tend's name
    d.other_bot_says("Sunny today")
    _m, uid = d.says("ben", "/help")
    assert uid is None
    _m, uid = d.says("ben", "/help@%s" % dd.BOT["username"])
    wait_private(d, "ben", "what I can do")
    wait_private(d, "ben", "Welcome! I'm tend")  # his first command: the one-time welcome too
    # a command for the other bot is not tend's, even when tend is shown it (privacy mode off)
    d.privacy_mode = False
    before = len(d.sent)
    d.says("ben", "/weather@weather_bot")
    d.says("ben", "/claim@WEATHER_BOT 1")
    time.sleep(1.5)
    assert len(d.sent) == before


def test_a_group_that_becomes_a_supergroup_keeps_its_tasks(tend, double):
    d = double
    d.says("ana", '/task add "Before the move"')
    wait_group(d, "Before the move")
    old, new = d.upgrade_group()
    # commands from the new chat act on the same group: task #1 is there
    d.says("ben", "/claim 1")
    wait_private(d, "ben", "Before the move")
    assert "is yours" in texts(d.in_private("ben"))[-1]
    # Ben typed in the new chat, Ana in the old one: for both it is one group, so the private chat
    # needs no group:
    d.says("ben", "/me", private=True)
    assert d.wait(lambda: "how things look" in texts(d.in_private("ben"))[-1])
    # a post tend still addresses to the old chat (it had not heard of the move) is refused with
    # the new id, and goes there
    old2, newer = d.upgrade_group(tell_the_bot=False)
    d.says("ana", '/task add "After the second move" group:"%s"' % dd.GROUP_TITLE, private=True)
    post = wait_group(d, "After the second move")
    assert post["chat"]["id"] == newer
    refused = [p for _t, m, p in d.requests if m == "sendmessage" and str(p.get("chat_id")) == str(old2)]
    assert refused, "the post first went to the old chat"
    assert len([m for m in d.sent if "After the second move" in m["text"]]) == 1


def test_zz_command_to_answer_latency(tend, double):
    """From the moment Telegram has a member's command until tend's answer is accepted, through the
    long-poll (no pacing in the way: each sample goes to a chat that has been quiet for a second)."""
    d = double
    d.says("ana", "/help")
    wait_private(d, "ana", "what I can do")
    samples = []
    for i in range(12):
        who = ("ana", "ben")[i % 2]
        time.sleep(0.6 if i else 1.1)  # each chat's last message a second old: pacing stays out of it
        before = len(d.in_private(who))
        t0 = time.monotonic()
        d.says(who, "/help", private=True)
        assert d.wait(lambda: len(d.in_private(who)) > before, 10)
        samples.append((d.in_private(who)[-1]["at"] - t0) * 1000)
    print("\nsamples in order (ms): " + " ".join("%.0f" % x for x in samples))
    samples.sort()
    print("command -> answer over %d commands: median %.1f ms, max %.1f ms"
          % (len(samples), samples[len(samples) // 2], samples[-1]))
    assert samples[len(samples) // 2] < 1000
