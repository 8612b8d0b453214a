#!/usr/bin/env python3
"""systemd.py — config/tend.service passes `systemd-analyze verify` without a single warning and
keeps `systemd-analyze security`'s exposure at or under 1.5 ("OK"), offline (no running systemd
needed). ExecStart and ExecStartPre point at the tend just built, so verify also checks them.

usage: systemd.py TEND_BINARY UNIT_FILE
"""
import os
import re
import subprocess
import sys
import tempfile

THRESHOLD = 15  # systemd-analyze's --threshold is the exposure times ten


def main():
    binary, unit = sys.argv[1], sys.argv[2]
    with open(unit) as f:
        text = f.read()
    for key in ("Type=notify", "WatchdogSec=", "StateDirectory=tend", "DynamicUser=yes", "ProtectSystem=strict",
                "NoNewPrivileges=yes", "PrivateTmp=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
                "ExecReload=/bin/kill -HUP $MAINPID", "UMask=0077"):
        if key not in text:
            print("FAIL: the unit lacks %s" % key)
            return 1
    with tempfile.TemporaryDirectory(prefix="tend-unit-") as tmp:
        path = os.path.join(tmp, "tend.service")
        with open(path, "w") as f:
            f.write(text.replace("/usr/local/bin/tend", os.path.abspath(binary)))
        v = subprocess.run(["systemd-analyze", "verify", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=60)
        out = v.stdout.decode()
        if v.returncode != 0 or out.strip():
            print("FAIL: systemd-analyze verify (exit %d):\n%s" % (v.returncode, out))
            return 1
        s = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=%d" % THRESHOLD, path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        out = s.stdout.decode()
        m = re.search(r"Overall exposure level for tend\.service: ([0-9.]+) (\w+)", out)
        if not m:
            print("FAIL: no exposure level in:\n" + out)
            return 1
        if s.returncode != 0:
            print("FAIL: exposure %s is above %.1f:\n%s" % (m.group(1), THRESHOLD / 10, out))
            return 1
        weak = [line.split()[1] for line in out.splitlines() if line.startswith("✗")]
        print("systemd: verify clean; security exposure %s %s (not hardened: %s)" % (m.group(1), m.group(2),
                                                                                   ", ".join(weak)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
