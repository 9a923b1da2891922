#include "core/model/session_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "core/model/session_id.h"
#include "harness/test_util.h"

namespace goose {
namespace {

namespace fs = std::filesystem;
using testing::ReadWholeFile;
using testing::ScopedTempDir;
using testing::TestData;
using testing::WriteWholeFile;

// Files in `dir`, recursively, with their contents.
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[e.path().string()] = ReadWholeFile(e.path());
  }
  return out;
}

class SessionStoreTest : public ::testing::Test {
 protected:
  void Place(const std::string& fixture, const std::string& id) {
    fs::copy_file(TestData(fixture), dir_.path() / (id + ".jsonl"));
  }
  ScopedTempDir dir_;
  SessionStore store_{dir_.path()};
};

TEST_F(SessionStoreTest, ReadsGooseCliFileWithMetadata) {
  Place("goose_cli_full.jsonl", "20250305_113223");
  Result<Session> s = store_.Read("20250305_113223");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->metadata.working_dir, "/home/user/project");
  EXPECT_EQ(s->metadata.description, "List project files");
  EXPECT_FALSE(s->metadata.schedule_id.has_value());
  EXPECT_EQ(s->metadata.message_count, 4);
  EXPECT_EQ(s->metadata.total_tokens, 1234);
  EXPECT_EQ(s->metadata.accumulated_output_tokens, 500);
  ASSERT_EQ(s->messages.size(), 4u);
  EXPECT_TRUE(s->messages[1].HasToolRequests());
  EXPECT_TRUE(s->messages[2].HasToolResponses());
  EXPECT_EQ(s->messages[3].Text(), "Two files: a.txt and b.txt.");
  EXPECT_EQ(s->messages[0].extra["id"], "msg_1");  // newer goose fields kept
}

TEST_F(SessionStoreTest, ReadsNullTokensAndKeepsUnknownMetadata) {
  Place("goose_cli_null_tokens.jsonl", "nightly");
  Result<Session> s = store_.Read("nightly");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->metadata.total_tokens.has_value());
  EXPECT_FALSE(s->metadata.accumulated_input_tokens.has_value());
  EXPECT_EQ(s->metadata.schedule_id, "nightly-report");
  EXPECT_TRUE(s->metadata.extra.contains("extension_data"));
  ASSERT_EQ(s->messages.size(), 2u);
  EXPECT_EQ(s->messages[1].Text(), "Hi!");
}

TEST_F(SessionStoreTest, ReadsFileWithoutMetadataLine) {
  Place("goose_cli_no_metadata.jsonl", "legacy");
  Result<Session> s = store_.Read("legacy");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->messages.size(), 3u);
  EXPECT_EQ(s->metadata.message_count, 3);
  EXPECT_EQ(s->metadata.description, "");
  const auto req = s->messages[1].ToolRequests();
  ASSERT_EQ(req.size(), 1u);
  EXPECT_FALSE(req[0]->tool_call.ok());
  EXPECT_EQ(req[0]->tool_call.error, "Tool not found: nosuch__tool");
}

// Every goose-shaped fixture, read and written back, holds the same JSON on
// every line (goose's CLI reads what we write because it is what it wrote).
TEST_F(SessionStoreTest, RewritingGooseFilesPreservesEveryLine) {
  for (const char* fixture :
       {"goose_cli_full.jsonl", "goose_cli_null_tokens.jsonl", "goose_cli_unknown_content.jsonl"}) {
    SCOPED_TRACE(fixture);
    Place(fixture, "copy");
    Result<Session> s = store_.Read("copy");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE(store_.Write("copy", *s).ok());
    const std::string original = ReadWholeFile(TestData(fixture));
    const std::string rewritten = ReadWholeFile(dir_.path() / "copy.jsonl");
    std::istringstream a(original), b(rewritten);
    std::string la, lb;
    int line = 0;
    while (std::getline(a, la)) {
      ASSERT_TRUE(std::getline(b, lb)) << "line " << line << " missing";
      Json ja = Json::parse(la), jb = Json::parse(lb);
      if (line == 0) {
        // We always write every metadata field; goose's optional ones appear as null.
        for (auto& [k, v] : ja.items()) EXPECT_EQ(jb[k], v) << k;
      } else {
        EXPECT_EQ(jb, ja) << "line " << line;
      }
      ++line;
    }
    fs::remove(dir_.path() / "copy.jsonl");
  }
}

TEST_F(SessionStoreTest, WrittenMetadataHasGooseFieldsAndShapes) {
  Session s;
  s.metadata.working_dir = "/w";
  s.metadata.description = "d";
  s.messages = {Message::User("q"), Message::Assistant("a")};
  ASSERT_TRUE(store_.Write("0b7c3c6e-1111-4222-8333-444455556666", s).ok());
  std::string bytes = ReadWholeFile(dir_.path() / "0b7c3c6e-1111-4222-8333-444455556666.jsonl");
  Json meta = Json::parse(bytes.substr(0, bytes.find('\n')));
  for (const char* key :
       {"working_dir", "description", "schedule_id", "message_count", "total_tokens",
        "input_tokens", "output_tokens", "accumulated_total_tokens", "accumulated_input_tokens",
        "accumulated_output_tokens"}) {
    EXPECT_TRUE(meta.contains(key)) << key;
  }
  EXPECT_EQ(meta["message_count"], 2);
  EXPECT_TRUE(meta["total_tokens"].is_null());
  EXPECT_TRUE(meta["schedule_id"].is_null());
  EXPECT_EQ(std::count(bytes.begin(), bytes.end(), '\n'), 3);
}

TEST_F(SessionStoreTest, RecordUsageReplacesCurrentAndAccumulates) {
  SessionMetadata m;
  m.RecordUsage({10, 5, 15});
  m.RecordUsage({20, std::nullopt, 30});
  EXPECT_EQ(m.input_tokens, 20);
  EXPECT_FALSE(m.output_tokens.has_value());
  EXPECT_EQ(m.accumulated_input_tokens, 30);
  EXPECT_EQ(m.accumulated_output_tokens, 5);
  EXPECT_EQ(m.accumulated_total_tokens, 45);
}

TEST_F(SessionStoreTest, WriteReadDeleteAndList) {
  Session a;
  a.metadata.description = "first";
  a.messages = {Message::User("1")};
  Session b;
  b.metadata.description = "second";
  b.messages = {Message::User("1"), Message::Assistant("2")};
  ASSERT_TRUE(store_.Write("a", a).ok());
  ASSERT_TRUE(store_.Write("b", b).ok());
  Place("goose_cli_no_metadata.jsonl", "legacy");
  WriteWholeFile(dir_.path() / "broken.jsonl", "{not json\n");
  WriteWholeFile(dir_.path() / "notes.txt", "ignored");

  int skipped = -1;
  Result<std::vector<SessionInfo>> list = store_.List(&skipped);
  ASSERT_TRUE(list.ok());
  std::map<std::string, SessionInfo> by_id;
  for (const auto& info : *list) by_id[info.id] = info;
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id["a"].description, "first");
  EXPECT_EQ(by_id["b"].message_count, 2);
  EXPECT_EQ(by_id["legacy"].message_count, 3);
  EXPECT_GT(by_id["a"].modified_unix, 0);
  EXPECT_EQ(skipped, 1);

  EXPECT_TRUE(store_.Exists("a"));
  ASSERT_TRUE(store_.Delete("a").ok());
  EXPECT_FALSE(store_.Exists("a"));
  EXPECT_EQ(store_.Delete("a").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.Read("a").status().code(), StatusCode::kNotFound);
}

TEST_F(SessionStoreTest, ListOfMissingDirectoryIsEmpty) {
  SessionStore store(dir_.path() / "not-yet");
  Result<std::vector<SessionInfo>> list = store.List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(SessionStoreTest, WriteCreatesMissingDirectory) {
  SessionStore store(dir_.path() / "deep" / "er");
  ASSERT_TRUE(store.Write("x", Session{}).ok());
  EXPECT_TRUE(fs::exists(dir_.path() / "deep" / "er" / "x.jsonl"));
}

TEST_F(SessionStoreTest, MalformedLineNamesFileAndLineAndLeavesFileUntouched) {
  const std::string bytes =
      "{\"working_dir\":\"/w\",\"description\":\"d\",\"message_count\":2}\n"
      "{\"role\":\"user\",\"created\":1,\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}\n"
      "{\"role\":\"user\",\"created\":1,\"content\":[{\"type\":\"text\",\"text\":7}]}\n";
  const fs::path path = dir_.path() / "bad.jsonl";
  WriteWholeFile(path, bytes);
  Result<Session> s = store_.Read("bad");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find(path.string() + " line 3"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("content[0].text must be a string"), std::string::npos);
  EXPECT_EQ(ReadWholeFile(path), bytes);
}

TEST_F(SessionStoreTest, TruncatedJsonLineIsReportedWithLineNumber) {
  WriteWholeFile(dir_.path() / "torn.jsonl",
                 "{\"role\":\"user\",\"created\":1,\"content\":[]}\n{\"role\":\"us\n"
                 "{\"role\":\"user\",\"created\":2,\"content\":[]}\n");
  Result<Session> s = store_.Read("torn");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("torn.jsonl line 2: the line is not valid JSON"),
            std::string::npos)
      << s.status().message();
}

TEST_F(SessionStoreTest, MalformedTerminatedLastLineIsReported) {
  WriteWholeFile(dir_.path() / "bad.jsonl",
                 "{\"role\":\"user\",\"created\":1,\"content\":[]}\n{\"role\":\"us\n");
  Result<Session> s = store_.Read("bad");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("bad.jsonl line 2"), std::string::npos)
      << s.status().message();
}

TEST_F(SessionStoreTest, UnterminatedTornLastLineIsAnInterruptedAppendAndDropped) {
  WriteWholeFile(
      dir_.path() / "torn.jsonl",
      "{\"message_count\":2}\n"
      "{\"role\":\"user\",\"created\":1,\"content\":[{\"type\":\"text\",\"text\":\"kept\"}]}\n"
      "{\"role\":\"assistant\",\"created\":2,\"content\":[{\"type\":\"te");
  Result<Session> s = store_.Read("torn");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->messages.size(), 1u);
  EXPECT_EQ(s->messages[0].Text(), "kept");
  EXPECT_EQ(s->metadata.message_count, 1);
}

TEST_F(SessionStoreTest, BadMetadataTypeIsReported) {
  WriteWholeFile(dir_.path() / "m.jsonl", "{\"message_count\":\"three\"}\n");
  Result<Session> s = store_.Read("m");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("m.jsonl line 1: metadata.message_count must be"),
            std::string::npos)
      << s.status().message();
}

TEST_F(SessionStoreTest, RefusesToFollowSymlinkOutOfDirectory) {
  ScopedTempDir outside;
  WriteWholeFile(outside.path() / "secret.jsonl",
                 "{\"role\":\"user\",\"created\":1,\"content\":[]}\n");
  fs::create_symlink(outside.path() / "secret.jsonl", dir_.path() / "link.jsonl");
  EXPECT_FALSE(store_.Read("link").ok());
  // Writing replaces the link itself; the target outside stays as it was.
  const std::string before = ReadWholeFile(outside.path() / "secret.jsonl");
  ASSERT_TRUE(store_.Write("link", Session{}).ok());
  EXPECT_EQ(ReadWholeFile(outside.path() / "secret.jsonl"), before);
  EXPECT_FALSE(fs::is_symlink(dir_.path() / "link.jsonl"));
}

TEST_F(SessionStoreTest, TraversalIdsTouchNothing) {
  ScopedTempDir outside;
  const auto before_inside = Snapshot(dir_.path());
  const auto before_outside = Snapshot(outside.path());
  const std::string escape = "../" + outside.path().filename().string() + "/evil";
  for (const std::string& id :
       {escape, std::string("../evil"), std::string(".."), std::string("."), std::string("a/b"),
        std::string("/etc/passwd"), std::string("..\\x"), std::string("x\0y", 3),
        std::string(".hidden"), std::string(""), std::string(200, 'a'), std::string("a b"),
        std::string("a\nb"), outside.path().string() + "/evil"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(store_.Write(id, Session{}).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_.Read(id).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_.Delete(id).code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(store_.Exists(id));
  }
  EXPECT_EQ(Snapshot(dir_.path()), before_inside);
  EXPECT_EQ(Snapshot(outside.path()), before_outside);
  EXPECT_TRUE(fs::is_empty(outside.path()));
}

TEST_F(SessionStoreTest, FailedWriteLeavesOldFileAndNoTemp) {
  Session old;
  old.messages = {Message::User("keep me")};
  ASSERT_TRUE(store_.Write("s", old).ok());
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0500), 0);
  Session next;
  next.messages = {Message::User("new")};
  Status s = store_.Write("s", next);
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0700), 0);
  if (::geteuid() != 0) {  // root writes through 0500; the check needs a normal user
    EXPECT_EQ(s.code(), StatusCode::kIoError);
    EXPECT_NE(s.message().find("cannot create"), std::string::npos) << s.message();
    EXPECT_EQ(store_.Read("s")->messages[0].Text(), "keep me");
  }
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
  }
}

TEST_F(SessionStoreTest, RemovesTempFilesOfDeadWritersOnly) {
  // A pid that cannot exist (above pid_max) stands for a crashed writer.
  WriteWholeFile(dir_.path() / ".x.jsonl.999999999.0.tmp", "partial");
  const std::string mine = ".y.jsonl." + std::to_string(::getpid()) + ".0.tmp";
  WriteWholeFile(dir_.path() / mine, "in progress");
  WriteWholeFile(dir_.path() / ".unrelated.999999999.0.tmp", "not ours");
  Result<int> removed = store_.RemoveStaleTempFiles();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(fs::exists(dir_.path() / ".x.jsonl.999999999.0.tmp"));
  EXPECT_TRUE(fs::exists(dir_.path() / mine));
  EXPECT_TRUE(fs::exists(dir_.path() / ".unrelated.999999999.0.tmp"));
}

// A crash inside an append can leave a part of a line; goose's CLI (1.0.x)
// refuses such a file. The start-up cleanup cuts it back to the last whole
// line, and leaves whole files and other processes' marks alone.
TEST_F(SessionStoreTest, ATornLastLineIsCutBackAtStart) {
  Session s;
  s.messages = {Message::User("one"), Message::Assistant("two")};
  ASSERT_TRUE(store_.Write("torn", s).ok());
  ASSERT_TRUE(store_.Write("whole", s).ok());
  const std::string whole = ReadWholeFile(dir_.path() / "torn.jsonl");
  {
    std::ofstream out(dir_.path() / "torn.jsonl", std::ios::app);
    out << "{\"role\":\"user\",\"content\":[{\"type\":\"te";  // cut mid-line
  }
  const std::string ended_elsewhere = ".whole.ended.999999999";
  WriteWholeFile(dir_.path() / ended_elsewhere, "");
  Result<int> cleaned = store_.RemoveStaleTempFiles();
  ASSERT_TRUE(cleaned.ok());
  EXPECT_EQ(*cleaned, 2);  // the torn tail cut, the dead process's mark removed
  EXPECT_EQ(ReadWholeFile(dir_.path() / "torn.jsonl"), whole);
  EXPECT_EQ(store_.Read("torn")->messages.size(), 2u);
  EXPECT_EQ(ReadWholeFile(dir_.path() / "whole.jsonl"), whole);
  EXPECT_FALSE(fs::exists(dir_.path() / ended_elsewhere));
  // A mark of this process stays: its sessions stay ended.
  ASSERT_TRUE(store_.MarkEnded("whole").ok());
  ASSERT_TRUE(store_.RemoveStaleTempFiles().ok());
  EXPECT_TRUE(store_.IsEnded("whole"));
}

TEST(ResolveSessionsDirTest, FollowsGooseOrder) {
  std::map<std::string, std::string> env;
  EnvLookup lookup = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_FALSE(ResolveSessionsDir(lookup).ok());
  env["HOME"] = "/home/u";
  EXPECT_EQ(*ResolveSessionsDir(lookup), fs::path("/home/u/.local/share/goose/sessions"));
  env["XDG_DATA_HOME"] = "/xdg";
  EXPECT_EQ(*ResolveSessionsDir(lookup), fs::path("/xdg/goose/sessions"));
  env["GOOSE_API_SESSIONS_DIR"] = "/explicit";
  EXPECT_EQ(*ResolveSessionsDir(lookup), fs::path("/explicit"));
  env["GOOSE_API_SESSIONS_DIR"] = "";
  EXPECT_EQ(*ResolveSessionsDir(lookup), fs::path("/xdg/goose/sessions"));
}

}  // namespace
}  // namespace goose
