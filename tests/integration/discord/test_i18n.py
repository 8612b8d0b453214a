"""Languages on Discord (issue 18): the server is English; eva's Discord is set to Spanish (es-ES)
and she never chose a language with /profile. What only she reads is Spanish; what the channel
reads stays English; ana, whose Discord is English, reads English. Once eva chooses English with
/profile language:en, that wins over her Discord. Every body tend sends is checked against the
OpenAPI description by the double, command registration included (/setup and /profile carry a
language option, and descriptions carry description_localizations from the catalogue)."""
import os
import time
import tempfile

import pytest

from conftest import Tend
import double as dd

MEMBERS = {
    "ana": {"id": "800000000000000001", "name": "Ana", "coord": True},
    "eva": {"id": "800000000000000002", "name": "Eva", "coord": False, "locale": "es-ES"},
}


@pytest.fixture
def two():
    d = dd.Double(members=MEMBERS).start()
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(d, tmp, env={"TEND_BOT_LOCALE_DIR": os.environ["TEND_LOCALE_TREE"]})
        assert d.wait_ready(15), t.output()
        yield d, t
        t.stop()
        assert not d.violations, "\n".join(d.violations)
    d.stop()


def content(body):
    return (body.get("data") or body).get("content", "")


def ephemeral(body):
    return bool(((body.get("data") or {}).get("flags") or 0) & 64)


def run(double, member, name, options=None, sub=None):
    iid = double.slash(member, name, options, sub=sub)
    bodies = double.answer(iid)
    assert bodies, "no answer to /%s %s" % (name, sub or "")
    return bodies


def test_a_spanish_member_in_an_english_server(two):
    double, tend = two
    # the registration tend made carries the language options (the double checked its shape)
    assert double.wait(lambda: double.registered, 10), tend.output()
    names = {}
    for cmd in double.registered:
        names[cmd["name"]] = {o["name"] for o in cmd.get("options", [])}
    assert "language" in names.get("setup", set()) and "language" in names.get("profile", set()), names
    # ... and Spanish descriptions for Spanish Discord apps, under both of Discord's Spanish locales
    cmds = {c["name"]: c for c in double.registered}
    claim = cmds["claim"]["description_localizations"]
    assert claim["es-ES"] == claim["es-419"] == "Apuntarte a una tarea", cmds["claim"]
    # every other language shipped in po/ goes under its own Discord locale, and nothing else does
    assert set(claim) == {"es-ES", "es-419", "pt-BR", "fr", "de"}, claim
    lang = [o for o in cmds["setup"]["options"] if o["name"] == "language"][0]
    assert lang["description_localizations"]["es-ES"] == "El idioma del grupo, como es", lang
    task = cmds["task"]
    assert task["description_localizations"]["es-ES"] == "Publicar una tarea", task  # its first subcommand's
    add = [o for o in task["options"] if o["name"] == "add"][0]
    title = [o for o in add["options"] if o["name"] == "title"][0]
    assert title["description_localizations"]["es-419"] == "Qué hace falta hacer", title
    # the check-in's answers are named in each language; the value sent stays the English word
    energy = [o for o in cmds["checkin"]["options"] if o["name"] == "energy"][0]
    low = [ch for ch in energy["choices"] if ch["value"] == "low"][0]
    assert low["name"] == "low" and low["name_localizations"]["es-ES"] == "bajo", low
    assert low["name_localizations"]["de"] == "müde" and low["name_localizations"]["pt-BR"] == "baixo", low
    nudges = [o for o in cmds["nudges"]["options"] if o["name"] == "setting"][0]
    on = [ch for ch in nudges["choices"] if ch["value"] == "on"][0]
    assert on["name_localizations"]["fr"] == "oui", on
    assert not double.violations, double.violations  # Discord's schema takes them (the double checks)
    for c in double.registered:  # only Discord's locale names, never a gettext code
        assert set(c.get("description_localizations", {})) <= {"es-ES", "es-419", "pt-BR", "fr", "de"}, c

    # eva posts a task: the channel's announcement is English, her own answers Spanish
    b = run(double, "eva", "task", {"title": "Soup run", "slots": 2}, sub="add")
    said = [content(x) for x in b]
    assert any("New task: #1 Soup run (0 of 2 people). /claim 1" in s for s in said), said
    b = run(double, "eva", "claim", {"task": "1"})
    assert ephemeral(b[0]) and content(b[0]).startswith("#1 Soup run (1 de 2 personas) es tuya. ¡Gracias!"), b
    b = run(double, "eva", "profile")
    assert ephemeral(b[0]) and "Idioma: español (es), el de tu aplicación." in content(b[0]), b
    # ana's Discord is English: English to her, in the same server, in between
    b = run(double, "ana", "claim", {"task": "1"})
    assert content(b[0]).startswith("#1 Soup run (2 of 2 people) is yours. Thank you!"), b
    # a mistake of eva's is explained in Spanish
    b = run(double, "eva", "unclaim", {"task": "7"})
    assert ephemeral(b[0]) and content(b[0]).startswith("No encuentro una tarea «7» aquí. /tasks muestra"), b
    # her own choice wins over her Discord's language
    b = run(double, "eva", "profile", {"language": "en"})
    assert content(b[0]).startswith("Saved. Your profile: Eva."), b
    b = run(double, "eva", "me")
    assert content(b[0]).startswith("Here's how things look for you:"), b
    # an unknown language: one line, nothing changed
    b = run(double, "ana", "setup", {"language": "tlh"})
    assert content(b[0]).startswith("I don't speak tlh yet, so nothing changed. I can use: English (en)"), b
    assert "\n" not in content(b[0]), b


def test_a_spanish_server_is_greeted_and_answered_in_spanish():
    """A server whose Discord language is Spanish (preferred_locale es-ES) that has just added tend:
    the hello is Spanish, and the group its first command makes starts in Spanish (what the channel
    reads), without anyone finding /setup language first."""
    d = dd.Double(members=MEMBERS)
    d.guild_locale = "es-ES"
    d.joined_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60))
    d.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t = Tend(d, tmp, env={"TEND_BOT_LOCALE_DIR": os.environ["TEND_LOCALE_TREE"]})
            assert d.wait_ready(15), t.output()
            hello = lambda: [b for c, b in d.channel_messages if "/setup" in b.get("content", "")]  # noqa: E731
            assert d.wait(hello, 10), t.output()
            said = hello()[0]["content"]
            # Spanish words the English hello lacks, and the command names left as they are typed
            assert said.startswith("Hola, soy tend") and "sin culpa" in said and "/help" in said, said
            b = run(d, "ana", "task", {"title": "Sopa", "slots": 2}, sub="add")
            assert any("Nueva tarea: #1 Sopa (0 de 2 personas)" in content(x) for x in b), b
            # the group's language is Spanish; ana's own Discord is English, so /setup tells her so in English
            b = run(d, "ana", "setup")
            assert "Language: español (es)" in content(b[0]), b
            t.stop()
            assert not d.violations, "\n".join(d.violations)
    finally:
        d.stop()
