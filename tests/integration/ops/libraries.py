#!/usr/bin/env python3
"""libraries.py — GnuTLS, mapped into tend only through libcurl's dependencies, does not set itself up.

usage: libraries.py TEND_BINARY

Debian's libcurl4 (OpenSSL) needs libldap and librtmp, which are built against GnuTLS, so GnuTLS is
loaded with tend although tend's TLS is OpenSSL's. Its constructor would initialise it (about 640 KB
resident, issue 17) unless the program answers its _gnutls_global_init_skip (app/gnutls_unused.c).
The dynamic linker's own account (LD_DEBUG=bindings) must show GnuTLS's call bound to tend's
definition, in a real console session; when the build loses the export, the call binds to GnuTLS's
own default and this fails. When the system's libcurl does not bring GnuTLS at all, there is nothing
to keep from starting, and the test says so.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opskit import Failure, check, clean_env  # noqa: E402

BINDING = re.compile(r"binding file (\S*libgnutls\.so\S*) \[0\] to (\S+) \[0\]: normal symbol `_gnutls_global_init_skip'")


def main():
    binary = os.path.realpath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env({"LD_DEBUG": "bindings,libs", "LD_DEBUG_OUTPUT": os.path.join(tmp, "ld"),
                         "TEND_DATABASE": os.path.join(tmp, "tend.db")})
        p = subprocess.run([binary, "--console"], input=b":quit\n", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=60)
        check(p.returncode == 0, "the console session failed (%d): %s" % (p.returncode, p.stderr.decode()[-500:]))
        text = "".join(open(f, errors="replace").read() for f in glob.glob(os.path.join(tmp, "ld.*")))
    check("binding file" in text, "LD_DEBUG gave no bindings: cannot see what the dynamic linker did")
    if "libgnutls" not in text:
        print("libraries: GnuTLS is not loaded with this system's libcurl; nothing to keep from starting")
        return 0
    found = BINDING.findall(text)
    check(found, "GnuTLS is loaded but never asked _gnutls_global_init_skip: it set itself up")
    for gnutls, target in found:
        check(os.path.realpath(target) == binary,
              "GnuTLS's _gnutls_global_init_skip bound to %s, not to tend: GnuTLS set itself up" % target)
        print("libraries: %s asks tend whether to set itself up, and tend says no" % os.path.basename(gnutls))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print("libraries: FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
