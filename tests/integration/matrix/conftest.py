"""Fixtures: the running local Synapse (started by ctest's fixture), its users, and tend."""
import json
import os
import statistics
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from mxclient import Tend, register  # noqa: E402

FIGURES = {"reply_ms": []}


@pytest.fixture(scope="session")
def env():
    d = os.environ.get("TEND_SYNAPSE_DIR")
    if not d:
        pytest.fail("TEND_SYNAPSE_DIR is not set (run through ctest)")
    with open(os.path.join(d, "env.json")) as f:
        e = json.load(f)
    e["dir"] = d
    return e


@pytest.fixture(scope="session")
def users(env):
    tag = os.urandom(3).hex()
    return {
        "bot": register(env, f"tend{tag}"),
        "alice": register(env, f"alice{tag}", admin=True),
        "bob": register(env, f"bob{tag}"),
    }


@pytest.fixture(scope="session")
def workdir():
    with tempfile.TemporaryDirectory(prefix="tend-matrix-") as d:
        yield d


@pytest.fixture(scope="session")
def tend(env, users, workdir):
    binary = os.environ.get("TEND_BIN")
    if not binary:
        pytest.fail("TEND_BIN is not set (run through ctest)")
    # Only alice may invite the bot: bob's invites are the "disallowed inviter" case.
    t = Tend(binary, env, users["bot"], os.path.join(workdir, "tend.db"),
             os.path.join(workdir, "tend.log"),
             allowed=f"{users['alice'].user_id},:elsewhere.example").start()
    yield t
    t.stop()
    log = os.environ.get("TEND_MATRIX_LOG")
    if log:
        with open(log, "w") as f:
            f.write(t.log_text())


def record(name, value):
    FIGURES.setdefault(name, []).append(value)


def pytest_terminal_summary(terminalreporter):
    w = terminalreporter.write_line
    r = sorted(FIGURES["reply_ms"])
    if r:
        p99 = r[min(len(r) - 1, int(round(0.99 * (len(r) - 1))))]
        w(f"matrix figures: command->reply median {statistics.median(r):.0f} ms, "
          f"p99 {p99:.0f} ms over {len(r)} commands")
    for name, values in FIGURES.items():
        if name != "reply_ms" and values:
            w(f"matrix figures: {name} {values[-1]:.2f}")
    d = os.environ.get("TEND_SYNAPSE_DIR")
    if d and os.path.exists(os.path.join(d, "start_seconds")):
        with open(os.path.join(d, "start_seconds")) as f:
            w(f"matrix figures: synapse start {f.read().strip()} s (last start)")
    venv = os.environ.get("TEND_SYNAPSE_VENV")
    if venv and os.path.exists(os.path.join(venv, ".tend-synapse-ok")):
        with open(os.path.join(venv, ".tend-synapse-ok")) as f:
            w(f"matrix figures: {f.read().strip()}")
