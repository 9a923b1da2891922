#!/usr/bin/env python3
"""Reads a JUnit XML file as a CI engine's reader would, and checks it.

    python3 junit_reader.py FILE

Parses FILE with xml.etree (the standard library's XML parser), checks the
structure CI readers rely on (the rules of junit.xsd that a schema cannot
state: each count attribute equals the test cases that have that outcome,
and the root's counts are the sums of its suites'), and prints the suites
and their test cases as JSON on stdout. Exit 1, with the reason on stderr,
when FILE does not parse or breaks a rule.
"""

import json
import sys
import xml.etree.ElementTree as ET

OUTCOMES = ("failure", "error", "skipped")


def fail(message):
    sys.stderr.write("junit_reader: %s\n" % message)
    sys.exit(1)


def count(element, name):
    value = element.get(name)
    if value is None or not value.isdigit():
        fail("<%s name=%r> has %s=%r, not a count" % (element.tag, element.get("name"), name, value))
    return int(value)


def seconds(element):
    try:
        value = float(element.get("time", ""))
    except ValueError:
        fail("<%s name=%r> has no numeric time" % (element.tag, element.get("name")))
    if value < 0:
        fail("<%s name=%r> has a negative time" % (element.tag, element.get("name")))
    return value


def read_case(case):
    for attribute in ("classname", "name"):
        if not case.get(attribute):
            fail("a <testcase> has no %s" % attribute)
    seconds(case)
    found = [child for child in case if child.tag in OUTCOMES]
    if len(found) > 1:
        fail("<testcase name=%r> has %d outcomes" % (case.get("name"), len(found)))
    for child in case:
        if child.tag not in OUTCOMES + ("system-out", "system-err"):
            fail("<testcase name=%r> holds <%s>" % (case.get("name"), child.tag))
    outcome = found[0] if found else None
    if outcome is not None and outcome.tag != "skipped":
        if outcome.get("message") is None or outcome.get("type") is None:
            fail("the <%s> of %r has no message or type" % (outcome.tag, case.get("name")))
    system_out = case.find("system-out")
    return {
        "classname": case.get("classname"),
        "name": case.get("name"),
        "time": seconds(case),
        "outcome": outcome.tag if outcome is not None else "passed",
        "message": outcome.get("message", "") if outcome is not None else "",
        "type": outcome.get("type", "") if outcome is not None else "",
        "text": (outcome.text or "") if outcome is not None else "",
        "system_out": (system_out.text or "") if system_out is not None else "",
    }


def read_suite(suite):
    if not suite.get("name"):
        fail("a <testsuite> has no name")
    cases = [read_case(case) for case in suite.findall("testcase")]
    expected = {
        "tests": len(cases),
        "failures": sum(c["outcome"] == "failure" for c in cases),
        "errors": sum(c["outcome"] == "error" for c in cases),
        "skipped": sum(c["outcome"] == "skipped" for c in cases),
    }
    for name, value in expected.items():
        if count(suite, name) != value:
            fail("<testsuite name=%r> says %s=%s, its test cases make %d"
                 % (suite.get("name"), name, suite.get(name), value))
    seconds(suite)
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    return dict(name=suite.get("name"), properties=properties, cases=cases, **expected)


def main():
    if len(sys.argv) != 2:
        fail("usage: junit_reader.py FILE")
    try:
        root = ET.parse(sys.argv[1]).getroot()
    except (ET.ParseError, OSError) as e:
        fail("cannot parse %s: %s" % (sys.argv[1], e))
    if root.tag != "testsuites":
        fail("the root element is <%s>, not <testsuites>" % root.tag)
    suites = [read_suite(suite) for suite in root]
    if any(child.tag != "testsuite" for child in root):
        fail("<testsuites> holds something other than <testsuite>")
    for name in ("tests", "failures", "errors", "skipped"):
        if count(root, name) != sum(s[name] for s in suites):
            fail("<testsuites> says %s=%s, its suites sum to %d"
                 % (name, root.get(name), sum(s[name] for s in suites)))
    json.dump({"suites": suites}, sys.stdout)


if __name__ == "__main__":
    main()
