// leakcheck --thresholds FILE: the file's rows, what they default to, that
// they are read before a scenario's own and the built-in rows, that their
// strings outlive every copy but the last, and every way a file is
// refused (each a message naming the file, exit 2 from leakcheck itself).

#include "scenarios/leakcheck/threshold_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <optional>

#include "harness/test_util.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/leakcheck/leakcheck.h"
#include "scenarios/mcp/mcp_scenario.h"

namespace goose::leakcheck {
namespace {

using scenarios::HeapThreshold;
using scenarios::HeapThresholdFor;
using scenarios::ThresholdRow;
using ::testing::HasSubstr;

class ThresholdFileTest : public ::testing::Test {
 protected:
  // `text` written to a file of the test's folder; its path.
  std::filesystem::path Write(const std::string& text, const std::string& name = "t.json") {
    const std::filesystem::path path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }

  goose::Result<ThresholdFile> Load(const std::string& text) {
    return LoadThresholdFile(Write(text), scenarios::BuiltinScenarioNames());
  }

  // The message a file with one row `row` is refused with ("" if taken).
  std::string RowError(const std::string& row) {
    goose::Result<ThresholdFile> file = Load(R"({"thresholds": [)" + row + "]}");
    return file.ok() ? "" : file.status().message();
  }

  goose::testing::ScopedTempDir dir_;
};

TEST_F(ThresholdFileTest, RowsWithTheirDefaults) {
  goose::Result<ThresholdFile> file = Load(R"({"thresholds": [
      {"scenario": "stream_drainage", "backend": "malloc", "bytes_per_iteration": 2048,
       "per_request": true, "reason": "caches 2 KiB per session"},
      {"scenario": "*", "bytes_per_iteration": 0.5, "reason": "tight"}]})");
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->rows().size(), 2u);
  const ThresholdRow& first = file->rows()[0];
  EXPECT_EQ(first.scenario, "stream_drainage");
  EXPECT_EQ(first.backend, "malloc");
  EXPECT_EQ(first.threshold.bytes_per_iteration, 2048);
  EXPECT_TRUE(first.threshold.per_request);
  EXPECT_EQ(first.threshold.reason, "caches 2 KiB per session");
  EXPECT_EQ(first.threshold.file, (dir_.path() / "t.json").string());
  const ThresholdRow& second = file->rows()[1];
  EXPECT_EQ(second.backend, "*");  // default: every backend
  EXPECT_FALSE(second.threshold.per_request);
  EXPECT_EQ(second.threshold.bytes_per_iteration, 0.5);
  EXPECT_EQ(file->path(), (dir_.path() / "t.json").string());

  // An empty list is a file without rows; no file at all, no rows.
  goose::Result<ThresholdFile> none = Load(R"({"thresholds": []})");
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->rows().empty());
  EXPECT_TRUE(ThresholdFile().rows().empty());
}

// The user's rows come first, then the scenario's own, then the built-in
// table; a row that does not match leaves the others to answer.
TEST_F(ThresholdFileTest, ReadBeforeTheScenariosAndTheBuiltInRows) {
  goose::Result<ThresholdFile> file = Load(R"({"thresholds": [
      {"scenario": "stream_drainage", "backend": "pss", "bytes_per_iteration": 100000,
       "reason": "mine"}]})");
  ASSERT_TRUE(file.ok()) << file.status().message();
  const std::array own = {ThresholdRow{"*", "*", {7, "own"}}};
  const HeapThreshold mine = HeapThresholdFor("stream_drainage", "pss", own, file->rows());
  EXPECT_EQ(mine.bytes_per_iteration, 100000);
  EXPECT_EQ(mine.reason, "mine");
  EXPECT_EQ(mine.file, file->path());
  const HeapThreshold theirs = HeapThresholdFor("stream_drainage", "malloc", own, file->rows());
  EXPECT_EQ(theirs.reason, "own");
  EXPECT_TRUE(theirs.file.empty());
  const HeapThreshold built_in = HeapThresholdFor("concurrent_sessions", "pss", {}, file->rows());
  EXPECT_EQ(built_in.bytes_per_iteration, 16384);
  EXPECT_TRUE(built_in.file.empty());
}

// The rows view strings the file owns: a copy keeps them alive after the
// original is gone.
TEST_F(ThresholdFileTest, RowsOutliveTheFileTheyWereReadWith) {
  std::optional<ThresholdFile> original;
  {
    goose::Result<ThresholdFile> file =
        Load(R"({"thresholds": [{"scenario": "summarization", "bytes_per_iteration": 64,
                 "reason": "a reason long enough to live on the heap, not in the string"}]})");
    ASSERT_TRUE(file.ok()) << file.status().message();
    original = std::move(*file);
  }
  const ThresholdFile copy = *original;
  original.reset();
  ASSERT_EQ(copy.rows().size(), 1u);
  EXPECT_EQ(copy.rows()[0].scenario, "summarization");
  EXPECT_EQ(copy.rows()[0].threshold.reason,
            "a reason long enough to live on the heap, not in the string");
}

TEST_F(ThresholdFileTest, AFileThatCannotBeReadOrIsNotJson) {
  goose::Result<ThresholdFile> missing =
      LoadThresholdFile(dir_.path() / "absent.json", scenarios::BuiltinScenarioNames());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("--thresholds: cannot read"));
  EXPECT_THAT(missing.status().message(), HasSubstr("absent.json"));
  goose::Result<ThresholdFile> folder =
      LoadThresholdFile(dir_.path(), scenarios::BuiltinScenarioNames());
  EXPECT_FALSE(folder.ok());
  goose::Result<ThresholdFile> broken = Load(R"({"thresholds": [)");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr("--thresholds: "));
  EXPECT_THAT(broken.status().message(), HasSubstr("t.json"));
}

TEST_F(ThresholdFileTest, AFileOfAnotherShape) {
  for (const char* text : {R"([])", R"({"rows": []})", R"({"thresholds": {}})",
                           R"({"thresholds": [], "comment": "x"})", R"("thresholds")"}) {
    goose::Result<ThresholdFile> file = Load(text);
    ASSERT_FALSE(file.ok()) << text;
    EXPECT_THAT(file.status().message(), HasSubstr("a thresholds file is {\"thresholds\": ["));
    EXPECT_THAT(file.status().message(), HasSubstr("--thresholds " + Write(text).string()));
  }
  EXPECT_THAT(RowError("3"), HasSubstr("thresholds[0] must be an object with the keys scenario, "
                                       "backend, bytes_per_iteration, per_request, reason"));
}

TEST_F(ThresholdFileTest, UnknownKeysScenariosAndBackends) {
  EXPECT_THAT(RowError(R"({"scenario": "*", "bytes_per_iteration": 1, "reason": "r",
                           "bytes": 2})"),
              HasSubstr("thresholds[0]: unknown key \"bytes\"; a row's keys are scenario, "
                        "backend, bytes_per_iteration, per_request, reason"));
  EXPECT_THAT(RowError(R"({"scenario": "*", "bytes_per_iteration": 1, "reason": "r",
                           "peak_rss_bytes": 2})"),
              HasSubstr("peaks are not settable"));
  const std::string scenario =
      RowError(R"({"scenario": "stream_drain", "bytes_per_iteration": 1, "reason": "r"})");
  EXPECT_THAT(scenario, HasSubstr("unknown scenario \"stream_drain\"; the scenarios are "
                                  "stream_drainage, "));
  EXPECT_THAT(scenario, HasSubstr("server_sigkill"));
  EXPECT_THAT(scenario, HasSubstr("or \"*\" for every one"));
  EXPECT_THAT(RowError(R"({"scenario": "*", "backend": "jemalloc", "bytes_per_iteration": 1,
                           "reason": "r"})"),
              HasSubstr("unknown backend \"jemalloc\"; the backends are glibc, tcmalloc, "
                        "sanitizer, tsan, malloc, pss, pss-tcmalloc, pss-sanitizer, v8"));
  // The MCP scenarios for leakcheck mcp.
  goose::Result<ThresholdFile> mcp = LoadThresholdFile(
      Write(R"({"thresholds": [{"scenario": "calls", "bytes_per_iteration": 1, "reason": "r"}]})"),
      scenarios::McpScenarioNames());
  EXPECT_TRUE(mcp.ok()) << mcp.status().message();
  EXPECT_THAT(RowError(R"({"scenario": "calls", "bytes_per_iteration": 1, "reason": "r"})"),
              HasSubstr("unknown scenario \"calls\""));
}

TEST_F(ThresholdFileTest, AThresholdThatIsNotANumberOrIsNegative) {
  EXPECT_THAT(RowError(R"({"scenario": "*", "reason": "r"})"),
              HasSubstr("thresholds[0]: \"bytes_per_iteration\" is missing"));
  for (const char* value : {R"("2048")", "true", "null", "[1]"}) {
    EXPECT_THAT(
        RowError(std::string(R"({"scenario": "*", "reason": "r", "bytes_per_iteration": )") +
                 value + "}"),
        HasSubstr("\"bytes_per_iteration\" must be a number of bytes, not " + std::string(value)))
        << value;
  }
  EXPECT_THAT(RowError(R"({"scenario": "*", "reason": "r", "bytes_per_iteration": -1})"),
              HasSubstr("\"bytes_per_iteration\" must be >= 0, not -1"));
  EXPECT_THAT(RowError(R"({"scenario": "*", "reason": "r", "bytes_per_iteration": 1,
                           "per_request": "yes"})"),
              HasSubstr("\"per_request\" must be true or false, not \"yes\""));
}

TEST_F(ThresholdFileTest, AReasonAndAScenarioAreRequired) {
  EXPECT_THAT(RowError(R"({"scenario": "*", "bytes_per_iteration": 1})"),
              HasSubstr("thresholds[0]: \"reason\" is missing"));
  EXPECT_THAT(RowError(R"({"scenario": "*", "bytes_per_iteration": 1, "reason": "  "})"),
              HasSubstr("\"reason\" must be a non-empty string"));
  EXPECT_THAT(RowError(R"({"scenario": "*", "bytes_per_iteration": 1, "reason": 3})"),
              HasSubstr("\"reason\" must be a non-empty string"));
  EXPECT_THAT(RowError(R"({"bytes_per_iteration": 1, "reason": "r"})"),
              HasSubstr("thresholds[0]: \"scenario\" is missing"));
  EXPECT_THAT(RowError(R"({"scenario": "*", "backend": "", "bytes_per_iteration": 1,
                           "reason": "r"})"),
              HasSubstr("\"backend\" must be a non-empty string"));
  // The second row is named as such.
  goose::Result<ThresholdFile> second = Load(R"({"thresholds": [
      {"scenario": "*", "bytes_per_iteration": 1, "reason": "r"},
      {"scenario": "*", "bytes_per_iteration": 1}]})");
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("thresholds[1]: \"reason\" is missing"));
}

TEST_F(ThresholdFileTest, TheOptionInBothFormsOnceAndNotEmpty) {
  const std::vector<std::string> spaced = {"run", "--thresholds", "a.json"};
  goose::Result<Options> a = ParseOptions(spaced);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->thresholds_file, "a.json");
  const std::vector<std::string> joined = {"mcp", "--thresholds=b.json", "--", "server"};
  goose::Result<Options> b = ParseOptions(joined);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->thresholds_file, "b.json");
  const std::vector<std::string> twice = {"run", "--thresholds", "a", "--thresholds=b"};
  EXPECT_THAT(ParseOptions(twice).status().message(), HasSubstr("--thresholds given twice"));
  const std::vector<std::string> empty = {"run", "--thresholds="};
  EXPECT_THAT(ParseOptions(empty).status().message(), HasSubstr("--thresholds needs a file"));
  const std::vector<std::string> bare = {"run", "--thresholds"};
  EXPECT_THAT(ParseOptions(bare).status().message(), HasSubstr("--thresholds needs a value"));
}

// leakcheck itself: a bad file is a usage error (exit 2) before any
// target starts, with the file's message.
TEST_F(ThresholdFileTest, LeakcheckExits2OnABadFile) {
  const std::vector<std::string> args = {
      "run",
      "--scenario",
      "stream_drainage",
      "--report",
      (dir_.path() / "report").string(),
      "--thresholds",
      Write(R"({"thresholds": [{"scenario": "*", "bytes_per_iteration": -4, "reason": "r"}]})")
          .string()};
  goose::Result<Options> options = ParseOptions(args);
  ASSERT_TRUE(options.ok()) << options.status().message();
  char* text = nullptr;
  size_t size = 0;
  std::FILE* err = open_memstream(&text, &size);
  const int status = RunLeakcheck(*options, stdout, err, /*err_is_terminal=*/false);
  std::fclose(err);
  const std::string message(text, size);
  std::free(text);
  EXPECT_EQ(status, kExitUsage);
  EXPECT_THAT(message, HasSubstr("leakcheck: --thresholds "));
  EXPECT_THAT(message, HasSubstr("\"bytes_per_iteration\" must be >= 0, not -4"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "report" / "report.json"));
}

}  // namespace
}  // namespace goose::leakcheck
