"""scrape.py — reads tend's /metrics the way Prometheus does, with the Prometheus project's own
parser (prometheus_client, from PyPI), and holds it to what the issue promises: every family has
help and a type, label values are short plain words (never a member's or a group's name), and the
label sets stay small. Shared by the ops, Discord and Matrix suites.
"""
import re
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

LABEL_VALUE = re.compile(r"^[a-z0-9_.-]{1,32}$")
MAX_SERIES_PER_FAMILY = 256


class Scrape:
    def __init__(self, text):
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}

    def value(self, sample_name, **labels):
        """The value of the sample with exactly these labels, or None."""
        for fam in self.families.values():
            for s in fam.samples:
                if s.name == sample_name and s.labels == labels:
                    return s.value
        return None

    def total(self, sample_name, **match):
        """The sum over samples named sample_name whose labels include `match`."""
        return sum(s.value for fam in self.families.values() for s in fam.samples
                   if s.name == sample_name and all(s.labels.get(k) == v for k, v in match.items()))

    def label_values(self, label):
        return {s.labels[label] for fam in self.families.values() for s in fam.samples if label in s.labels}


def parse(text, forbidden=()):
    """Parses and checks; raises AssertionError naming what is wrong. `forbidden`: words (names,
    titles, notes) that must appear nowhere in the text."""
    sc = Scrape(text)
    assert sc.families, "no metric families in:\n" + text
    for name, fam in sc.families.items():
        assert fam.documentation, "%s has no HELP" % name
        assert fam.type in ("counter", "gauge", "histogram"), "%s has type %s" % (name, fam.type)
        series = {tuple(sorted((k, v) for k, v in s.labels.items() if k != "le")) for s in fam.samples}
        assert len(series) <= MAX_SERIES_PER_FAMILY, "%s has %d series" % (name, len(series))
        for s in fam.samples:
            for k, v in s.labels.items():
                if k == "le":
                    continue
                assert LABEL_VALUE.match(v), "%s{%s=%r}: not a short plain word" % (s.name, k, v)
    for word in forbidden:
        assert word not in text, "the metrics mention %r" % word
    return sc


def fetch(port, host="127.0.0.1", timeout=5):
    """(content type, text) of GET /metrics."""
    with urllib.request.urlopen("http://%s:%d/metrics" % (host, port), timeout=timeout) as r:
        return r.headers.get("Content-Type"), r.read().decode("utf-8")
