// Crash safety: goose-api (the real binary) is SIGKILLed again and again
// while clients keep it persisting sessions (large prompts, so writes take
// long enough to be hit). After every kill every session file parses
// whole; a temp file may be left by the killed writer, and the next server
// start removes every one of them.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

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
constexpr int kKills = 12;
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
  const std::string prompt(256 * 1024, 'k');  // a big file per write
  int temp_files_seen = 0;
  int writes_answered = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    Result<Running> api = Start({ProgramPath("goose-api")}, env);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    // A restart cleans up what the killed writer left.
    EXPECT_EQ(CountTempFiles(sessions), 0) << "after restart " << kill;
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
      ASSERT_EQ(::kill(api->process->pid(), SIGKILL), 0);
      for (auto& w : writers) w.request_stop();
    }
    writes_answered += answered.load();
    (void)api->process->Stop(5s);  // reaps it
    // Every file parses whole.
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
  RecordProperty("kills", kKills);
  RecordProperty("temp_files_left_by_kills", temp_files_seen);
  std::printf("sigkill: %d kills, %d writes answered, %d temp files left and cleaned on restart\n",
              kKills, writes_answered, temp_files_seen);
}

}  // namespace
}  // namespace goose::hardening
