"""TLS verified as strictly as before (issue 17, round 3): tend gives lws (the gateway) and libcurl (REST)
the system's certificate authorities by hash lookup (lib/tls_trust.h) instead of the whole bundle parsed
at start (lws) or into every connection (curl). A server whose certificate a trusted CA signed for its
name is reached; one from a CA nobody trusts, or signed for another name, is refused. The CAs are made
here with the openssl command and given to tend through $SSL_CERT_DIR, the override OpenSSL's
defaults honour."""
import os
import ssl
import subprocess
import tempfile

import pytest

import double as dd
from conftest import Tend


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", name + ".key",
            "-out", name + ".pem", "-subj", "/CN=tend test " + name,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", cwd=d)


def make_leaf(d, ca, name, host):
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" % host)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
            "-subj", "/CN=" + host, cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
            "-days", "2", "-out", name + ".pem", "-extfile", name + ".ext", cwd=d)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
    return ctx


@pytest.fixture(scope="module")
def pki():
    with tempfile.TemporaryDirectory() as d:
        make_ca(d, "ca")
        make_ca(d, "stranger")
        trusted = os.path.join(d, "trusted")
        os.mkdir(trusted)
        with open(os.path.join(d, "ca.pem")) as src, open(os.path.join(trusted, "ca.pem"), "w") as dst:
            dst.write(src.read())
        openssl("rehash", trusted, cwd=d)  # the <hash>.0 names OpenSSL looks CAs up by
        yield {"dir": d, "trusted": trusted,
               "good": make_leaf(d, "ca", "good", "localhost"),
               "other_name": make_leaf(d, "ca", "other", "example.org"),
               "stranger": make_leaf(d, "stranger", "strange", "localhost")}


def session(pki, server_ctx, wait, rest_tls=False):
    """Starts tend against a double whose gateway (and REST API when rest_tls) speaks TLS with
    server_ctx: whether it identified, its log, and the REST requests the double received."""
    double = dd.Double(tls=server_ctx).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {"TEND_DISCORD_GATEWAY_URL": double.wss_gateway_url,
                   "SSL_CERT_DIR": pki["trusted"], "SSL_CERT_FILE": ""}
            if rest_tls:
                env["TEND_DISCORD_API_BASE"] = double.https_api_base
            t = Tend(double, tmp, env=env)
            ready = double.wait_ready(wait)
            t.stop()
            out = t.output()
            assert dd.TOKEN not in out, "the token reached the log"
            return ready, out, list(double.requests)
    finally:
        double.stop()


def test_a_gateway_signed_by_a_trusted_ca_for_its_name_is_reached(pki):
    ready, out, _ = session(pki, pki["good"], 15)
    assert ready, "tend never identified over TLS:\n" + out


def test_a_gateway_from_a_ca_nobody_trusts_is_refused(pki):
    ready, out, _ = session(pki, pki["stranger"], 4)
    assert not ready, "tend identified to a gateway whose CA it should not trust"
    assert "gateway connection failed" in out, out


def test_a_gateway_certificate_for_another_name_is_refused(pki):
    ready, out, _ = session(pki, pki["other_name"], 4)
    assert not ready, "tend identified to a gateway whose certificate names another host"
    assert "gateway connection failed" in out, out


def test_rest_over_https_signed_by_a_trusted_ca_is_used(pki):
    ready, out, requests = session(pki, pki["good"], 15, rest_tls=True)
    assert ready, "tend never identified with REST over https:\n" + out
    assert any(r["method"] == "GET" and r["path"].endswith("/gateway/bot") for r in requests), requests
    assert any(r["method"] == "PUT" and r["path"].endswith("/commands") for r in requests), requests


def test_rest_over_https_from_an_untrusted_ca_or_for_another_name_sends_nothing(pki):
    for server in ("stranger", "other_name"):
        ready, out, requests = session(pki, pki[server], 4, rest_tls=True)
        assert not ready, server
        # the handshake fails before a byte of a request (the token above all) leaves tend
        assert requests == [], (server, requests)
