"""Per-guild slash command registration (the default) in many guilds at once (issue 17, round 3): tend
hands rest a few registrations at a time, each with the catalogue made once for all, instead of every
guild's ~30 kB PUT queued together (1,000 guilds held 30 MB until Discord's 50 requests/s let the last
one go). What a member depends on: every guild gets its commands, once, and the bot answers meanwhile."""
import re
import tempfile
import time

import double as dd
from conftest import Tend

# several times the 8 registrations tend hands rest at once; the double checks each ~30 kB PUT against
# Discord's schema, about 0.3 s apiece, so a few dozen take seconds
GUILDS = 30


def registrations(double):
    return [m.group(1) for m in (re.match(r"^/applications/\d+/guilds/(\d+)/commands$", r["path"])
                                 for r in list(double.requests) if r["method"] == "PUT") if m]


def test_every_guild_gets_its_commands_exactly_once(double):
    double.populate(GUILDS, 1)
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        try:
            assert double.wait_ready(15), t.output()
            deadline = time.monotonic() + 60 * dd.SLOW
            while len(registrations(double)) < GUILDS and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # and none more after the last
            got = registrations(double)
            assert sorted(got) == sorted(double.guild_ids), "guilds missing or registered twice: %d PUTs for %d guilds" % (
                len(got), GUILDS)
            assert double.registered and all("name" in c for c in double.registered), "no catalogue in the PUT"
        finally:
            t.stop()
        out = t.output()
        assert "could not register" not in out, out
        assert not double.violations, "\n".join(double.violations)
