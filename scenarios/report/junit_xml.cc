#include "scenarios/report/junit_xml.h"

#include <cmath>
#include <cstdio>

#include "scenarios/report/xml_text.h"

namespace goose::scenarios {
namespace {

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;

  void Add(const JunitCase& c) {
    ++tests;
    failures += c.outcome == JunitCase::Outcome::kFailure ? 1 : 0;
    errors += c.outcome == JunitCase::Outcome::kError ? 1 : 0;
    skipped += c.outcome == JunitCase::Outcome::kSkipped ? 1 : 0;
    if (std::isfinite(c.seconds) && c.seconds > 0) seconds += c.seconds;
  }
  void Add(const Counts& c) {
    tests += c.tests;
    failures += c.failures;
    errors += c.errors;
    skipped += c.skipped;
    seconds += c.seconds;
  }
};

std::string Seconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f",
                std::isfinite(seconds) && seconds > 0 ? seconds : 0.0);
  return buffer;
}

std::string Attribute(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + XmlEscape(value) + "\"";
}

std::string CountAttributes(const Counts& c) {
  return Attribute("tests", std::to_string(c.tests)) +
         Attribute("failures", std::to_string(c.failures)) +
         Attribute("errors", std::to_string(c.errors)) +
         Attribute("skipped", std::to_string(c.skipped)) + Attribute("time", Seconds(c.seconds));
}

std::string Case(const JunitCase& c) {
  std::string xml = "    <testcase" + Attribute("classname", c.classname) +
                    Attribute("name", c.name) + Attribute("time", Seconds(c.seconds));
  std::string body;
  switch (c.outcome) {
    case JunitCase::Outcome::kPassed:
      break;
    case JunitCase::Outcome::kFailure:
    case JunitCase::Outcome::kError: {
      const char* tag = c.outcome == JunitCase::Outcome::kFailure ? "failure" : "error";
      body += std::string("      <") + tag + Attribute("message", c.message) +
              Attribute("type", c.type) + ">" + XmlEscape(c.text, XmlContext::kText) + "</" + tag +
              ">\n";
      break;
    }
    case JunitCase::Outcome::kSkipped:
      body += "      <skipped" + Attribute("message", c.message) + " />\n";
      break;
  }
  if (!c.system_out.empty()) {
    body += "      <system-out>" + XmlEscape(c.system_out, XmlContext::kText) + "</system-out>\n";
  }
  if (body.empty()) return xml + " />\n";
  return xml + ">\n" + body + "    </testcase>\n";
}

}  // namespace

std::string RenderJunit(const std::string& name, const std::vector<JunitSuite>& suites) {
  Counts all;
  std::string inner;
  for (const JunitSuite& suite : suites) {
    Counts counts;
    std::string cases;
    for (const JunitCase& c : suite.cases) {
      counts.Add(c);
      cases += Case(c);
    }
    all.Add(counts);
    inner += "  <testsuite" + Attribute("name", suite.name) + CountAttributes(counts);
    if (!suite.timestamp.empty()) inner += Attribute("timestamp", suite.timestamp);
    if (!suite.hostname.empty()) inner += Attribute("hostname", suite.hostname);
    inner += ">\n";
    if (!suite.properties.empty()) {
      inner += "    <properties>\n";
      for (const auto& [key, value] : suite.properties) {
        inner += "      <property" + Attribute("name", key) + Attribute("value", value) + " />\n";
      }
      inner += "    </properties>\n";
    }
    inner += cases + "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + Attribute("name", name) +
         CountAttributes(all) + ">\n" + inner + "</testsuites>\n";
}

}  // namespace goose::scenarios
