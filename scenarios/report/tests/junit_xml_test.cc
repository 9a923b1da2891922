// The JUnit writer, XML escaping, and the failure messages it carries:
// counts summed per suite and overall, each outcome's element, and text
// that XML cannot carry (markup, control characters, bytes that are not
// UTF-8) made safe. junit_check.h reads whole files as CI engines do.

#include "scenarios/report/junit_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scenarios/report/tests/sample_report.h"
#include "scenarios/report/verdict_message.h"
#include "scenarios/report/xml_text.h"

namespace goose::scenarios {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(XmlEscapeTest, EscapesMarkupAndReplacesWhatXmlCannotCarry) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(XmlEscape("x\x1b[31m\x01y"), "x\xEF\xBF\xBD[31m\xEF\xBF\xBDy");
  EXPECT_EQ(XmlEscape("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");  // kept
  EXPECT_EQ(XmlEscape("bad \xC3 and \xFF end"), "bad \xEF\xBF\xBD and \xEF\xBF\xBD end");
  EXPECT_EQ(XmlEscape("overlong \xC0\xAF"), "overlong \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("a\nb\tc"), "a&#10;b&#9;c");
  EXPECT_EQ(XmlEscape("a\nb\tc", XmlContext::kText), "a\nb\tc");
}

JunitCase Case(const std::string& classname, const std::string& name, double seconds) {
  JunitCase c;
  c.classname = classname;
  c.name = name;
  c.seconds = seconds;
  return c;
}

TEST(JunitXmlTest, CountsEveryOutcomePerSuiteAndOverall) {
  JunitSuite one;
  one.name = "leakgate.asan";
  one.timestamp = "2026-11-29T08:40:00Z";
  one.properties = {{"preset", "asan"}};
  one.cases.push_back(Case("leakgate.asan", "LeakGate.StreamDrainage", 1.5));
  JunitCase leak = Case("leakgate.asan", "LeakGate.Summarization", 2.25);
  leak.outcome = JunitCase::Outcome::kFailure;
  leak.type = "leak";
  leak.message = "leak: heap_bytes: slope 4096 B/iteration";
  leak.text = "heap_bytes ...\nlive_streams ...\n";
  one.cases.push_back(leak);
  JunitSuite two;
  two.name = "leakgate.dev";
  JunitCase error = Case("leakgate.dev", "LeakGate.ServerSigkill", 0);
  error.outcome = JunitCase::Outcome::kError;
  error.type = "no_result";
  error.message = "no result";
  JunitCase skipped = Case("leakgate.dev", "timeout_reaping", 0);
  skipped.outcome = JunitCase::Outcome::kSkipped;
  skipped.message = "needs --session-ttl";
  two.cases = {error, skipped};

  const std::string xml = RenderJunit("leakgate", {one, two});
  EXPECT_THAT(xml, HasSubstr("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
                             "name=\"leakgate\" tests=\"4\" failures=\"1\" errors=\"1\" "
                             "skipped=\"1\" time=\"3.750\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"leakgate.asan\" tests=\"2\" failures=\"1\" "
                             "errors=\"0\" skipped=\"0\" time=\"3.750\" "
                             "timestamp=\"2026-11-29T08:40:00Z\">"));
  EXPECT_THAT(xml, HasSubstr("<property name=\"preset\" value=\"asan\" />"));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"leakgate.asan\" "
                             "name=\"LeakGate.StreamDrainage\" time=\"1.500\" />"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"leak: heap_bytes: slope 4096 B/iteration\" "
                             "type=\"leak\">heap_bytes ...\nlive_streams ...\n</failure>"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"no result\" type=\"no_result\"></error>"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"needs --session-ttl\" />"));
  EXPECT_THAT(xml, Not(HasSubstr("timestamp=\"\"")));
}

TEST(VerdictMessageTest, ALeakNamesEachLeakingSeriesWithItsNumbers) {
  const Json leak = testing::SampleResult("stream_drainage", true);
  EXPECT_EQ(VerdictMessage(leak),
            "leak: heap_bytes: slope 4096 B/iteration, 99% bounds [3686.4, 4505.6], threshold 4 "
            "B/iteration; live_streams: slope 1 /iteration, 99% bounds [0.9, 1.1], baseline 0, "
            "settled 39 (zero tolerance)");
  EXPECT_EQ(VerdictMessage(testing::SampleResult("timeout_reaping", false)), "");
  const std::string detail = VerdictDetail(leak);
  EXPECT_THAT(detail, HasSubstr("open_fds: slope 0 /iteration"));
  EXPECT_THAT(detail, HasSubstr("live_streams: slope 1 /iteration"));
  EXPECT_THAT(detail, Not(HasSubstr("rss_bytes")));  // recorded, not judged
}

TEST(VerdictMessageTest, OverBudgetErrorAndSkipSayWhy) {
  Json r = testing::SampleResult("concurrent_sessions", false);
  r["verdict"] = "over_budget";
  r["peak"] = {{"heap_rise", 48 << 20},
               {"heap_budget", 32 << 20},
               {"rss_rise", 1 << 20},
               {"rss_budget", 64 << 20},
               {"judged", true}};
  EXPECT_EQ(VerdictMessage(r),
            "over budget: peak heap +48 MiB (budget +32 MiB), resident +1 MiB (budget +64 MiB)");
  r["verdict"] = "error";
  r["error"] = "the target died";
  EXPECT_EQ(VerdictMessage(r), "error: the target died");
  r["verdict"] = "skipped";
  r["skipped_reason"] = "needs the mock";
  EXPECT_EQ(VerdictMessage(r), "skipped: needs the mock");
  EXPECT_EQ(VerdictMessage(Json("not an object")), "verdict -");
}

}  // namespace
}  // namespace goose::scenarios
