#include "core/model/session_lines.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/json.h"
#include "core/model/session_file.h"
#include "harness/test_util.h"

namespace goose {
namespace {

namespace fs = std::filesystem;
using testing::ReadWholeFile;
using testing::ScopedTempDir;
using testing::TestData;
using testing::WriteWholeFile;

// The lines of `file` as /session/get sends them, parsed back.
struct Streamed {
  Status status;
  Json messages;  // the array the lines make
  StreamedSession session;
};

Streamed Stream(const fs::path& file) {
  ByteQueue out;
  out.Append(std::string_view("["));
  Result<StreamedSession> s = AppendMessageLines(file, "the file", &out);
  if (!s.ok()) return {s.status(), {}, {}};
  out.Append(std::string_view("]"));
  Result<Json> parsed = JsonParse(out.ToString(), "the answer");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << out.ToString();
  return {Status::Ok(), parsed.ok() ? *parsed : Json(), *s};
}

// What the parser of session files reads from the same bytes.
Json Parsed(const Session& session) {
  Json messages = Json::array();
  for (const Message& m : session.messages) messages.push_back(MessageToJson(m));
  return messages;
}

class SessionLinesTest : public ::testing::Test {
 protected:
  fs::path Write(const std::string& bytes) {
    const fs::path file = dir_.path() / "s.jsonl";
    WriteWholeFile(file, bytes);
    return file;
  }
  ScopedTempDir dir_;
};

TEST_F(SessionLinesTest, SendsWhatTheParserReadsFromGooseFiles) {
  for (const char* fixture : {"goose_cli_full.jsonl", "goose_cli_null_tokens.jsonl",
                              "goose_cli_no_metadata.jsonl", "goose_cli_unknown_content.jsonl"}) {
    const std::string bytes = ReadWholeFile(TestData(fixture));
    Result<Session> session = ParseSessionFile(bytes, fixture);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    const Streamed got = Stream(TestData(fixture));
    ASSERT_TRUE(got.status.ok()) << got.status.ToString();
    EXPECT_EQ(got.messages, Parsed(*session)) << fixture;
    EXPECT_EQ(got.session.messages, session->metadata.message_count);
    EXPECT_EQ(MetadataToJson(got.session.metadata), MetadataToJson(session->metadata));
  }
}

TEST_F(SessionLinesTest, FollowsTheRulesOfTheSessionFileReader) {
  const std::string m1 = R"({"role":"user","created":1,"content":[{"type":"text","text":"a"}]})";
  const std::string m2 =
      R"({"role":"assistant","created":2,"content":[{"type":"text","text":"b\u00e9"}]})";
  const std::string meta = R"({"description":"d","message_count":9,"working_dir":"/w"})";
  struct Case {
    const char* what;
    std::string bytes;
    int messages;  // -1: DataLoss
  };
  const Case cases[] = {
      {"metadata and two messages", meta + "\n" + m1 + "\n" + m2 + "\n", 2},
      {"no metadata line", m1 + "\n" + m2 + "\n", 2},
      {"blank lines and CRLF", "\n  \n" + meta + "\r\n\t\n" + m1 + "\r\n\n" + m2 + "\r\n", 2},
      {"a torn last line is left out", meta + "\n" + m1 + "\n" + m2.substr(0, 20), 1},
      {"an unterminated whole last line is kept", meta + "\n" + m1 + "\n" + m2, 2},
      {"only metadata", meta + "\n", 0},
      {"empty", "", 0},
      {"a torn first line", meta.substr(0, 10), 0},
      {"a malformed middle line", meta + "\n" + m1 + "\n{\"role\":\n" + m2 + "\n", -1},
      {"a line that is not an object", meta + "\n" + m1 + "\n[1]\n", -1},
      {"bad metadata",
       R"({"description":5})"
       "\n" +
           m1 + "\n",
       -1},
  };
  for (const Case& c : cases) {
    const fs::path file = Write(c.bytes);
    const Streamed got = Stream(file);
    Result<Session> parsed = ParseSessionFile(c.bytes, "the file");
    if (c.messages < 0) {
      EXPECT_EQ(got.status.code(), StatusCode::kDataLoss) << c.what;
      EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss) << c.what;
      continue;
    }
    ASSERT_TRUE(got.status.ok()) << c.what << ": " << got.status.ToString();
    ASSERT_TRUE(parsed.ok()) << c.what;
    EXPECT_EQ(got.session.messages, c.messages) << c.what;
    EXPECT_EQ(got.messages, Parsed(*parsed)) << c.what;
    EXPECT_EQ(got.session.metadata.description, parsed->metadata.description) << c.what;
  }
}

TEST_F(SessionLinesTest, NamesTheLineOfAnError) {
  const std::string m1 = R"({"role":"user","created":1,"content":[]})";
  const Streamed got = Stream(Write(m1 + "\n" + m1 + "\n{\"a\":tru}\n" + m1 + "\n"));
  EXPECT_EQ(got.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status.message().find("the file line 3"), std::string::npos)
      << got.status.ToString();
}

TEST_F(SessionLinesTest, CopiesALargeLineInPieces) {
  // A message longer than the read buffer and the metadata bound, as the
  // first line of a file without metadata and as a later line.
  const std::string text(3 << 20, 'x');
  const std::string big =
      R"({"role":"user","created":1,"content":[{"type":"text","text":")" + text + R"("}]})";
  const Streamed got = Stream(Write(big + "\n" + big + "\n"));
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  ASSERT_EQ(got.messages.size(), 2u);
  EXPECT_EQ(got.messages[1]["content"][0]["text"].get<std::string>().size(), text.size());
}

TEST_F(SessionLinesTest, MissingFileIsNotFound) {
  ByteQueue out;
  EXPECT_EQ(AppendMessageLines(dir_.path() / "none.jsonl", "x", &out).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace goose
