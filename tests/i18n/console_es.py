#!/usr/bin/env python3
"""console_es.py TEND LOCALE_DIR — the real tend in Spanish through its console.

A group set to Spanish hears Spanish in public; a member who chose English reads English in private
while the group's posts stay Spanish; an unknown language changes nothing. Facts checked: who is
told what, in which language, with which task number. The locale folder comes through the
environment form of [bot] locale_dir."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console_session  # noqa: E402

tend, locale_dir = sys.argv[1], sys.argv[2]


def run(script, db, tmp):
    return console_session.run(tend, locale_dir, db, script)


def expect(msgs, aud, who, pattern, what, out):
    for i, m in enumerate(msgs):
        if m["aud"] == aud and (who is None or m["who"] == who) and re.search(pattern, m["text"]):
            del msgs[: i + 1]
            return m
    sys.stderr.write(out)
    raise SystemExit("not found: " + what)


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "es.db")
    script = (":as ana\n/setup language:es\n"
              "/task add \"Reparto de sopa\" slots:2\n"
              ":as bea\n/claim 1\n"
              ":as cam\n/profile language:en\n/claim 1\n"
              ":as bea\n/done 1\n"
              ":as ana\n/setup language:xx\n/setup\n/task add \"Pan\" when:\"fri 18:00\"\n:as cam\n/tasks\n"
              ":as dan\n/tasks\n/clam 1\n/help\n:quit\n")
    out, msgs = run(script, db, tmp)
    expect(msgs, "private", "ana", r"^Guardado\. La configuración de este grupo ahora:[\s\S]*Check-in semanal: lun 18:00\n[\s\S]*Idioma: español \(es\)",
           "the coordinator's /setup answered in the group's new language", out)
    expect(msgs, "public", None, r"^Nueva tarea: #1 Reparto de sopa \(0 de 2 personas\)\. /claim 1 para apuntarte",
           "the announcement in Spanish, with its number and places", out)
    expect(msgs, "private", "bea", r"^#1 Reparto de sopa \(1 de 2 personas\) es tuya\. ¡Gracias!",
           "a claim answered in Spanish with the task number", out)
    expect(msgs, "private", "cam", r"^Saved\. Your profile: cam\..*Language: English \(en\)\.",
           "a member's own English, said in English", out)
    expect(msgs, "private", "cam", r"^#1 Reparto de sopa \(2 of 2 people\) is yours\. Thank you!",
           "her claim answered in her English", out)
    done = expect(msgs, "public", None, r"^🎉 ¡La #1 Reparto de sopa está hecha! Gracias, @bea y @cam\.",
                  "the celebration in the group's Spanish, whoever reads English", out)
    assert "Thank" not in done["text"], done
    bad = expect(msgs, "private", "ana", r"^Todavía no hablo xx, así que no cambié nada\. Puedo usar: English \(en\), "
                 r"Deutsch \(de\), español \(es\), français \(fr\), português \(Brasil\) \(pt_BR\)\.",
                 "an unknown code: one line with what there is", out)
    assert "\n" not in bad["text"], bad
    expect(msgs, "private", "ana", r"Idioma: español \(es\)", "nothing changed after the unknown code", out)
    expect(msgs, "public", None, r"^Nueva tarea: #2 Pan \(0 de 1 persona, vie 6 nov, 18:00\)\.",
           "a task's day and time in Spanish for the group", out)
    expect(msgs, "private", "ana", r"^Entendí when:\"fri 18:00\" como viernes 6 de noviembre a las 18:00",
           "the time read back in Spanish", out)
    expect(msgs, "private", "cam", r"#2 Pan \(0 of 1 person, Fri 6 Nov, 18:00\)",
           "the same task line in English for the member who reads English", out)
    expect(msgs, "private", "dan", r"^Todas las tareas|^Tareas abiertas|^No hay nada en el tablero",
           "a newcomer reads the group's Spanish", out)
    expect(msgs, "private", "dan", r"^No conozco /clam\. ¿Querías decir /claim\?",
           "a mistake explained in Spanish", out)
    expect(msgs, "private", "dan", r"^Esto es lo que puedo hacer:[\s\S]*\n/claim — apuntarte a una tarea\n",
           "/help's list in Spanish, the command tables' summaries included", out)
    # a second run on the same file: the language is stored, and English members stay English
    out, msgs = run(":as cam\n/me\n:as bea\n/me\n/task add \"Pan\" when:\"fri 9:00\" repeat:weekly\n"
                    "/stepback 1w\n:as ana\n/pause-new 2 semanas\n:quit\n", db, tmp)
    expect(msgs, "private", "cam", r"^Here's how things look for you:", "cam's English is remembered", out)
    expect(msgs, "private", "bea", r"^Así van las cosas para ti:", "the group's Spanish is remembered", out)
    expect(msgs, "public", None, r"^Nueva tarea: #3 Pan \(0 de 1 persona, vie 6 nov, 09:00, cada semana\)",
           "how a task repeats, in Spanish", out)
    expect(msgs, "private", "bea", r"^Descansa bien\. Estás de descanso hasta martes 10 de noviembre,",
           "the day a rest ends, in Spanish", out)
    expect(msgs, "public", None, r"^Descansemos un poco: no hay tareas nuevas hasta mar 17 nov, 10:00\.",
           "the day new tasks come back, in Spanish, to the group", out)
print("ok")
