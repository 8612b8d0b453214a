#!/usr/bin/env python3
"""bench/matrix_e2ee_start.py — how long tend takes, from its process start, to give its first
encrypted answer when it is in N end-to-end encrypted Matrix rooms (issue 20's start-up figure).

Runs the real tend against a real Synapse from the Matrix tests' venv (tests/integration/matrix:
synapse_ctl.py for the server, mxclient for accounts, e2eeclient's matrix-nio human for the
encrypted command). Set up once: a human makes N encrypted rooms the way Element does and invites
the bot, which joins them all and says hello in each (its room keys shared). Then, --runs times:
tend is stopped, the human sends an encrypted `!task add` in the last room made (answered in the
room: a `!tasks` board would go to a direct chat), tend is started, and the time runs from the
process start until the human's client has decrypted tend's answer in the room. Prints
each run and the median.

  build/synapse-venv/bin/python bench/matrix_e2ee_start.py --tend build/tend
  (the venv is made by the Matrix tests: ctest --test-dir build -R integration.matrix.venv)

A Synapse of its own in a temporary folder, on 127.0.0.1, stopped at the end; bounded: every wait
has a deadline (--timeout per answer).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
MATRIX_TESTS = os.path.join(HERE, "..", "tests", "integration", "matrix")
sys.path.insert(0, MATRIX_TESTS)
from e2eeclient import Human, from_bot  # noqa: E402
from mxclient import Tend, register  # noqa: E402


def synapse(cmd, d):
    subprocess.run([sys.executable, os.path.join(MATRIX_TESTS, "synapse_ctl.py"), cmd, d], check=True,
                   stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tend", default=os.path.join(HERE, "..", "build", "tend"))
    ap.add_argument("--rooms", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=180, help="seconds to wait for one answer")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (Synapse's, tend's logs)")
    args = ap.parse_args()
    binary = os.path.abspath(args.tend)
    work = tempfile.mkdtemp(prefix="tend-e2ee-start-")
    sdir = os.path.join(work, "synapse")
    synapse("start", sdir)
    import json
    with open(os.path.join(sdir, "env.json")) as f:
        env = json.load(f)
    tend = human = None
    try:
        tag = os.urandom(3).hex()
        bot = register(env, f"tendbench{tag}")
        creator = register(env, f"amy{tag}", admin=True)
        # Synapse allows a user a few new rooms a minute: the admin lifts that for the creator
        requests.post(f"{env['url']}/_synapse/admin/v1/users/{creator.user_id}/override_ratelimit",
                      json={"messages_per_second": 0, "burst_count": 0}, timeout=10,
                      headers={"Authorization": "Bearer " + creator.token}).raise_for_status()
        store = os.path.join(work, "nio-amy")
        os.makedirs(store)
        human = Human(env["url"], creator.user_id, creator.password, store)
        tend = Tend(binary, env, bot, os.path.join(work, "tend.db"), os.path.join(work, "tend.log")).start()

        t0 = time.monotonic()
        rooms = []
        for i in range(args.rooms):
            rooms.append(human.create_room(f"encrypted {i}", invite=[bot.user_id]) if i == args.rooms - 1
                         else creator.create_room(f"encrypted {i}", encrypted=True, invite=[bot.user_id]))
        last = rooms[-1]
        deadline = time.monotonic() + 600
        pending = set(rooms)
        while pending and time.monotonic() < deadline:
            for r in list(pending):
                if bot.user_id in creator.api("GET", f"/rooms/{r}/joined_members")["joined"]:
                    pending.discard(r)
            time.sleep(1)
        if pending:
            raise SystemExit(f"the bot joined {len(rooms) - len(pending)} of {len(rooms)} rooms within 600 s")
        human.wait_for(from_bot(bot.user_id, last, "I'm tend"), 300, "the bot's introduction in the last room")
        print(f"set up: {len(rooms)} encrypted rooms made and joined in {time.monotonic() - t0:.0f} s")
        # tend says hello in every room (one room key each): let it finish before the first restart;
        # a first command makes the human known to the group (its welcome goes by direct chat)
        human.catch_up()
        first = human.send(last, '!task add "Bench warm-up"')
        human.wait_for(from_bot(bot.user_id, last, reply_to=first), args.timeout, "the answer to the warm-up")
        time.sleep(3)

        times = []
        for run in range(args.runs):
            tend.stop()
            human.catch_up()
            sent_at = int(time.time() * 1000)
            cmd = human.send(last, f'!task add "Bench run {run + 1}"')
            start = time.monotonic()
            tend.start()
            _, ev = human.wait_for(lambda r, e: r == last and e.get("sender") == bot.user_id
                                   and e.get("content", {}).get("m.relates_to", {}).get("m.in_reply_to", {})
                                   .get("event_id") == cmd and e.get("origin_server_ts", 0) >= sent_at - 100,
                                   args.timeout, "the bot's answer")
            took = time.monotonic() - start
            if not ev["_decrypted"]:
                raise SystemExit("the bot answered in clear")
            times.append(took)
            print(f"run {run + 1}: process start to the first encrypted answer {took:.2f} s")
        print(f"\nstart-up with {len(rooms)} encrypted rooms, process start to first encrypted answer: "
              f"median {statistics.median(times):.2f} s over {len(times)} runs "
              f"({', '.join(f'{t:.2f}' for t in times)})")
    finally:
        if tend:
            tend.stop()
        if human:
            human.close()
        synapse("stop", sdir)
        if args.keep:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
