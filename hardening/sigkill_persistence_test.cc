// Crash safety: goose-api (the real binary) is SIGKILLed again and again
// while clients keep it persisting sessions (large prompts, so writes take
// long enough to be hit; every other kill is aimed at a file that is
// growing, so inside a write). After every kill, read as the bytes lie (not
// through the reader, which drops a torn last line): every whole line of
// every file is valid JSON, and at most the text after the last newline is
// cut short. The next start repairs what the kill left: no temp file, and
// every file ends with a whole line, each a line goose's CLI reads. The
// test goes on killing until at least one kill landed inside an append (a
// torn last line seen), so it proves the repair on a real tear, not only
// on files that happened to be whole.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/base/json.h"
#include "core/base/unique_fd.h"
#include "core/extensions/child_process.h"
#include "core/extensions/tests/extension_test_util.h"
#include "core/model/session_id.h"
#include "core/model/session_store.h"
#include "harness/test_util.h"

namespace goose::hardening {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kKey = "crash-key-0123456789";
constexpr int kKills = 8;  // at least
// Kills until one lands inside an append: at most this many. With 256 KiB
// prompts and kills at random times 1 in 26 did; with 900 KiB prompts and
// every other kill aimed at a growing file, 6 in 12. Under a sanitizer the
// code around a write dominates and a tear is rarely seen: counted, not
// required (the cut itself is proven by
// SessionStoreTest.ATornLastLineIsCutBackAtStart and the store's crash
// test).
constexpr int kMaxKills = 60;
#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
constexpr bool kTearRequired = false;
#else
constexpr bool kTearRequired = true;
#endif
constexpr int kWriters = 4;

std::string ProgramPath(const std::string& name) {
  return (fs::read_symlink("/proc/self/exe").parent_path() / name).string();
}

struct Running {
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<goose::testing::LineReader> out;
  int port = 0;
};

// Starts a program that prints "<name> listening on http://127.0.0.1:<port>".
Result<Running> Start(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env) {
  SpawnOptions options;
  options.supervision = Supervision::kDirect;
  options.stop_grace = 10s;
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(argv, env, options);
  if (!child.ok()) return child.status();
  Running r;
  r.process = std::move(child).value();
  r.out = std::make_unique<goose::testing::LineReader>(r.process->stdout_fd());
  std::optional<std::string> line = r.out->Next(30s);
  const std::string marker = "listening on http://127.0.0.1:";
  if (!line || line->find(marker) == std::string::npos) {
    return Status(StatusCode::kUnavailable, argv[0] + " did not start: " + r.process->StderrTail());
  }
  r.port = std::stoi(line->substr(line->find(marker) + marker.size()));
  return r;
}

// The files of sessions `ids` (those a round wrote: the only ones a kill
// can have torn; reading every file every round would cost the square of
// the run under a sanitizer).
std::vector<fs::path> FilesOf(const fs::path& dir, const std::vector<std::string>& ids) {
  std::vector<fs::path> files;
  for (const std::string& id : ids) {
    if (!id.empty()) files.push_back(dir / (id + ".jsonl"));
  }
  return files;
}

// What a kill left of sessions `ids`: how many files have a torn last line;
// every whole line must be JSON (checked here).
int CheckFilesAsTheKillLeftThem(const fs::path& dir, const std::vector<std::string>& ids,
                                int kill) {
  int torn = 0;
  for (const fs::path& file : FilesOf(dir, ids)) {
    const std::string name = file.filename().string();
    const goose::testing::FileLines lines =
        goose::testing::SplitFileLines(goose::testing::ReadWholeFile(file));
    for (const std::string& line : lines.whole) {
      EXPECT_TRUE(Json::accept(line)) << "kill " << kill << ", " << name
                                      << ": a whole line that is not JSON: " << line.substr(0, 80);
    }
    torn += !lines.torn.empty();
  }
  return torn;
}

// After a start: the files of sessions `ids` end with a whole line and each
// line is JSON (goose's CLI refuses a file whose last line is cut).
void ExpectRepaired(const fs::path& dir, const std::vector<std::string>& ids, int kill) {
  for (const fs::path& file : FilesOf(dir, ids)) {
    const std::string name = file.filename().string();
    const goose::testing::FileLines lines =
        goose::testing::SplitFileLines(goose::testing::ReadWholeFile(file));
    EXPECT_EQ(lines.torn, "") << "after the start following kill " << kill << ", " << name
                              << " still ends inside a line";
    for (const std::string& line : lines.whole) {
      EXPECT_TRUE(Json::accept(line)) << name << ": " << line.substr(0, 80);
    }
  }
}

// SIGKILLs `pid` the moment one of the session files in `dir` is seen
// growing (a large append being written, page by page), or after
// `patience`: a kill aimed at the inside of a write, which a kill at a
// random time rarely hits (1 in 26 did). The files are watched through open
// descriptors (fstat takes microseconds; a directory scan, a hundred).
void KillWhileAFileGrows(pid_t pid, const fs::path& dir, std::chrono::milliseconds patience) {
  std::vector<UniqueFd> files;
  std::vector<off_t> sizes;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".jsonl") continue;
    UniqueFd fd(::open(e.path().c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) continue;
    files.push_back(std::move(fd));
    sizes.push_back(st.st_size);
  }
  const auto deadline = std::chrono::steady_clock::now() + patience;
  bool growing = false;
  while (!growing && std::chrono::steady_clock::now() < deadline) {
    for (size_t i = 0; i < files.size() && !growing; ++i) {
      struct stat st {};
      growing = ::fstat(files[i].get(), &st) == 0 && st.st_size > sizes[i];
    }
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
}

int CountTempFiles(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().ends_with(".tmp");
  return n;
}

TEST(SigkillPersistenceTest, EveryFileParsesWholeAndRestartRemovesTempFiles) {
  goose::testing::ScopedTempDir root;
  const fs::path sessions = root.path() / "sessions";
  Result<Running> llm = Start({ProgramPath("mock-llm"), "--port", "0"}, {});
  ASSERT_TRUE(llm.ok()) << llm.status().ToString();
  const std::map<std::string, std::string> env = {
      {"GOOSE_API_KEY", kKey},
      {"GOOSE_API_PORT", "0"},
      {"GOOSE_API_SESSIONS_DIR", sessions.string()},
      {"OPENAI_HOST", "http://127.0.0.1:" + std::to_string(llm->port)},
      {"OPENAI_API_KEY", "unused"},
      {"GOOSE_API_LOG_LEVEL", "error"}};
  const std::string prompt(900 * 1024,
                           'k');  // a long write per append (under the 1 MiB body limit)
  int temp_files_seen = 0;
  int writes_answered = 0;
  int torn_tails = 0;  // kills that landed inside an append
  int kills = 0;
  std::vector<std::string> last_ids;  // the sessions the last round wrote
  for (int kill = 0; kill < kKills || (kTearRequired && torn_tails == 0 && kill < kMaxKills);
       ++kill) {
    kills = kill + 1;
    Result<Running> api = Start({ProgramPath("goose-api")}, env);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    // A restart repairs what the killed writer left.
    EXPECT_EQ(CountTempFiles(sessions), 0) << "after restart " << kill;
    ExpectRepaired(sessions, last_ids, kill);
    std::atomic<int> answered{0};
    // Per writer (each thread owns its slot; read after the join): its
    // session and every prompt the server answered 200, in order.
    std::vector<std::string> ids(kWriters);
    std::vector<std::vector<std::string>> answered_prompts(kWriters);
    {
      std::vector<std::jthread> writers;
      for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w, port = api->port](std::stop_token stop) {
          httplib::Client http("127.0.0.1", port);
          http.set_tcp_nodelay(true);
          http.set_read_timeout(10);
          std::string& id = ids[w];
          for (int n = 0; !stop.stop_requested(); ++n) {
            const std::string text =
                "w" + std::to_string(w) + "-" + std::to_string(n) + ":" + prompt;
            Json body = {{"prompt", text}};
            if (!id.empty()) body["session_id"] = id;
            auto res = http.Post(id.empty() ? "/session/start" : "/session/reply",
                                 {{"x-api-key", kKey}}, body.dump(), "application/json");
            if (!res) return;  // the server is gone
            if (res->status != 200) continue;
            answered_prompts[w].push_back(text);
            ++answered;
            if (id.empty()) id = Json::parse(res->body).value("session_id", "");
          }
        });
      }
      // Kill once the writers are well into persisting (a varying amount,
      // so kills land at different points of a write).
      const int target = 3 + (kill * 5) % 11;
      ASSERT_TRUE(goose::testing::WaitUntil([&] { return answered.load() >= target; }, 60s))
          << "the server answered " << answered.load() << " requests";
      // Every other kill aimed at a write in progress, the others at any time.
      if (kill % 2 == 0) {
        KillWhileAFileGrows(api->process->pid(), sessions, 2s);
      } else {
        ASSERT_EQ(::kill(api->process->pid(), SIGKILL), 0);
      }
      for (auto& w : writers) w.request_stop();
    }
    writes_answered += answered.load();
    (void)api->process->Stop(5s);  // reaps it
    torn_tails += CheckFilesAsTheKillLeftThem(sessions, ids, kill);
    last_ids = ids;
    // Every file parses (the reader drops a torn last line).
    for (const auto& e : fs::directory_iterator(sessions)) {
      const std::string name = e.path().filename().string();
      if (name.ends_with(".tmp")) {
        ++temp_files_seen;
        continue;
      }
      ASSERT_TRUE(name.ends_with(".jsonl")) << name;
      Result<Session> s = SessionStore(sessions).Read(name.substr(0, name.size() - 6));
      EXPECT_TRUE(s.ok()) << "kill " << kill << ": " << s.status().ToString();
    }
    // "A killed server never loses a stored message": every prompt answered
    // 200 before the kill is in its session's file, in order, each followed
    // by its answer (a prompt stored whose answer never arrived may follow).
    for (int w = 0; w < kWriters; ++w) {
      if (ids[w].empty()) continue;
      Result<Session> s = SessionStore(sessions).Read(ids[w]);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      size_t at = 0;
      for (const std::string& text : answered_prompts[w]) {
        while (at < s->messages.size() &&
               !(s->messages[at].role == Role::kUser && s->messages[at].Text() == text)) {
          ++at;
        }
        ASSERT_LT(at, s->messages.size())
            << "kill " << kill << ": an answered prompt (" << text.substr(0, 12)
            << "...) is not in session " << ids[w];
        ASSERT_LT(at + 1, s->messages.size()) << "its answer is not stored";
        EXPECT_EQ(s->messages[at + 1].role, Role::kAssistant);
        ++at;
      }
    }
  }
  Result<Running> last = Start({ProgramPath("goose-api")}, env);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(CountTempFiles(sessions), 0);
  ExpectRepaired(sessions, last_ids, kills);
  if (kTearRequired) {
    EXPECT_GE(torn_tails, 1) << "no kill of " << kills
                             << " landed inside an append: the repair was never tested on a tear";
  }
  RecordProperty("kills", kills);
  RecordProperty("torn_tails", torn_tails);
  RecordProperty("temp_files_left_by_kills", temp_files_seen);
  std::printf(
      "sigkill: %d kills, %d inside an append, %d writes answered, %d temp files left and cleaned "
      "on restart\n",
      kills, torn_tails, writes_answered, temp_files_seen);
}

}  // namespace
}  // namespace goose::hardening
