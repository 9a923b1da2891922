// goose-api's doors, tried as an attacker would, on the binary: what a web
// page can make a browser send, what an extension inherits, which commands
// the key may run, what an error tells, what an ended session allows, what
// the sessions directory lets in, and how long SIGTERM takes whatever is in
// flight. docs/reliability.md's threat model points here.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <thread>

#include "core/base/unique_fd.h"
#include "core/model/session_store.h"
#include "integration/goose_api_process.h"

namespace goose {
namespace {

using namespace std::chrono_literals;
using goose::testing::kKey;
using goose::testing::ProgramPath;
using goose::testing::WaitUntil;
using SecurityTest = goose::testing::GooseApiProcessTest;

// One request with exactly these headers (httplib adds Host unless given).
httplib::Result Send(int port, const std::string& method, const std::string& path,
                     const httplib::Headers& headers, const std::string& body = "",
                     const std::string& content_type = "") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30);
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.headers = headers;
  req.body = body;
  if (!content_type.empty()) req.set_header("Content-Type", content_type);
  return client.send(req);
}

std::string AddTouchExtension(const std::filesystem::path& marker) {
  return Json({{"type", "stdio"},
               {"name", "touch"},
               {"cmd", "/usr/bin/touch"},
               {"args", {marker.string()}},
               {"timeout", 5}})
      .dump();
}

// --- What a web page can send --------------------------------------------

// The issue's own case: open mode, a text/plain POST from a foreign page
// (no preflight), by name (DNS rebinding) and by origin. None may run its
// command; the same request from a real client does.
TEST_F(SecurityTest, AWebPageCannotRunACommandInOpenMode) {
  StartServer({{"GOOSE_API_KEY", ""}, {"GOOSE_API_OPEN", "loopback"}});
  const auto marker = dir_.path() / "ran";
  const std::string add = AddTouchExtension(marker);
  const int port = api_.port;
  const std::string self = "127.0.0.1:" + std::to_string(port);

  auto rebinding =
      Send(port, "POST", "/extensions/add",
           {{"Host", "evil.example"}, {"Origin", "http://evil.example"}}, add, "text/plain");
  ASSERT_TRUE(rebinding);
  EXPECT_EQ(rebinding->status, 403) << rebinding->body;
  EXPECT_NE(rebinding->body.find("evil.example"), std::string::npos) << rebinding->body;

  auto cross_origin =
      Send(port, "POST", "/extensions/add", {{"Host", self}, {"Origin", "http://evil.example"}},
           add, "application/json");
  ASSERT_TRUE(cross_origin);
  EXPECT_EQ(cross_origin->status, 403) << cross_origin->body;
  EXPECT_NE(cross_origin->body.find("cross-origin"), std::string::npos) << cross_origin->body;

  auto null_origin = Send(port, "POST", "/extensions/add", {{"Host", self}, {"Origin", "null"}},
                          add, "application/json");
  ASSERT_TRUE(null_origin);
  EXPECT_EQ(null_origin->status, 403) << null_origin->body;

  auto simple = Send(port, "POST", "/extensions/add", {{"Host", self}}, add, "text/plain");
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->status, 415) << simple->body;
  EXPECT_NE(simple->body.find("application/json"), std::string::npos) << simple->body;

  auto untyped = Send(port, "POST", "/extensions/add", {{"Host", self}}, add);
  ASSERT_TRUE(untyped);
  EXPECT_EQ(untyped->status, 415) << untyped->body;

  EXPECT_FALSE(std::filesystem::exists(marker)) << "a refused request ran its command";

  // The same add from a client of the server's own origin runs it (touch
  // exits at once, so the add itself fails: the file is the proof).
  auto own = Send(port, "POST", "/extensions/add", {{"Host", self}, {"Origin", "http://" + self}},
                  add, "application/json");
  ASSERT_TRUE(own);
  EXPECT_NE(own->status, 403);
  EXPECT_NE(own->status, 415);
  EXPECT_TRUE(std::filesystem::exists(marker)) << "the test cannot see a command run";
}

TEST_F(SecurityTest, HostNamesAreThoseTheServerIsReachedBy) {
  StartServer({{"GOOSE_API_ALLOWED_HOSTS", "api.internal, Other.Example"}});
  const int port = api_.port;
  for (const std::string host : {"127.0.0.1", "localhost", "LOCALHOST:1", "[::1]:8080", "10.1.2.3",
                                 "api.internal", "other.example:443"}) {
    auto r = Send(port, "GET", "/metrics", {{"Host", host}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << host << ": " << r->body;
  }
  for (const std::string host :
       {"evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "api.internal.evil"}) {
    auto r = Send(port, "GET", "/metrics", {{"Host", host}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << host << ": " << r->body;
  }
}

// --- What an extension inherits ------------------------------------------

TEST_F(SecurityTest, ExtensionsGetAMinimalEnvironmentAndTheShimNoneOfTheirs) {
  // The server's environment holds both keys and a secret; the operator
  // passes PASSED_* on; the extension sets its own variables, one of them
  // a loader variable that must reach the command and never the shim.
  StartServer({{"SECRET_TOKEN", "s3cret"},
               {"PASSED_ONE", "one"},
               {"GOOSE_API_EXTENSION_ENV_PASS", "PASSED_*"},
               {"LANG", "C.UTF-8"}});
  auto [status, body] = Post(
      "/extensions/add", {{"type", "stdio"},
                          {"name", "env"},
                          {"cmd", ProgramPath("mock-mcp")},
                          {"args", Json::array()},
                          {"envs", {{"MINE", "yes"}, {"GLIBC_TUNABLES", "glibc.malloc.check=0"}}},
                          {"timeout", 30}});
  ASSERT_EQ(status, 200) << body.dump();
  // A session, so that the extension runs; its tool reads the variables.
  StartSessionWithTools();
  ASSERT_FALSE(ServerTree().empty());
  // Read the command's environment through /proc: the shim is goose-api's
  // child, the command the shim's.
  const pid_t api = api_.process->pid();
  std::map<std::string, std::string> shim_env, command_env;
  auto read_env = [](pid_t pid) {
    std::map<std::string, std::string> env;
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ");
    std::string entry;
    while (std::getline(in, entry, '\0')) {
      const size_t eq = entry.find('=');
      env[entry.substr(0, eq)] = eq == std::string::npos ? "" : entry.substr(eq + 1);
    }
    return env;
  };
  for (const probe::ProcessInfo& p : ServerTree()) {
    std::ifstream cmdline("/proc/" + std::to_string(p.pid) + "/cmdline");
    std::string argv0;
    std::getline(cmdline, argv0, '\0');
    if (p.ppid == api && argv0.find("goose-ext-shim") != std::string::npos && shim_env.empty()) {
      shim_env = read_env(p.pid);
    } else if (argv0.find("mock-mcp") != std::string::npos && command_env.empty() &&
               read_env(p.pid).count("MINE")) {
      command_env = read_env(p.pid);
    }
  }
  ASSERT_FALSE(shim_env.empty());
  ASSERT_FALSE(command_env.empty()) << "no mock-mcp of the env extension found";
  for (const char* secret : {"GOOSE_API_KEY", "OPENAI_API_KEY", "SECRET_TOKEN"}) {
    EXPECT_EQ(command_env.count(secret), 0u) << secret << " reached the extension";
    EXPECT_EQ(shim_env.count(secret), 0u) << secret << " reached the shim";
  }
  EXPECT_EQ(command_env["MINE"], "yes");
  EXPECT_EQ(command_env["GLIBC_TUNABLES"], "glibc.malloc.check=0");
  EXPECT_EQ(command_env["PASSED_ONE"], "one");
  EXPECT_EQ(command_env["LANG"], "C.UTF-8");
  EXPECT_FALSE(command_env["PATH"].empty());
  EXPECT_EQ(shim_env.count("MINE"), 0u);
  EXPECT_EQ(shim_env.count("GLIBC_TUNABLES"), 0u) << "an extension's variable reached the shim";
}

// --- Which commands the key may run ---------------------------------------

TEST_F(SecurityTest, ExtensionPolicyOffRefusesEveryAdd) {
  StartServer({{"GOOSE_API_EXTENSIONS", "off"}});
  const auto marker = dir_.path() / "ran";
  auto r = client_->Post("/extensions/add", {{"x-api-key", kKey}}, AddTouchExtension(marker),
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  const Json body = Json::parse(r->body);
  EXPECT_EQ(body["error"], true);
  EXPECT_NE(body["message"].get<std::string>().find("GOOSE_API_EXTENSIONS=off"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(SecurityTest, ExtensionPolicyAllowListAdmitsOnlyItsCommands) {
  StartServer({{"GOOSE_API_EXTENSIONS", ProgramPath("mock-mcp") + ", cat"}});
  auto [allowed, body] = Post("/extensions/add", {{"type", "stdio"},
                                                  {"name", "alpha"},
                                                  {"cmd", ProgramPath("mock-mcp")},
                                                  {"args", Json::array()},
                                                  {"timeout", 30}});
  EXPECT_EQ(allowed, 200) << body.dump();
  const auto marker = dir_.path() / "ran";
  auto [refused, why] = Post("/extensions/add", Json::parse(AddTouchExtension(marker)));
  EXPECT_EQ(refused, 403) << why.dump();
  EXPECT_NE(why["message"].get<std::string>().find("/usr/bin/touch"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(marker));
  // A PATH of its own cannot make another program pass for an allowed name.
  std::filesystem::create_directories(dir_.path() / "bin");
  std::filesystem::create_symlink("/usr/bin/touch", dir_.path() / "bin" / "cat");
  auto [spoofed, spoof_why] =
      Post("/extensions/add", {{"type", "stdio"},
                               {"name", "spoof"},
                               {"cmd", "cat"},
                               {"args", {marker.string()}},
                               {"envs", {{"PATH", (dir_.path() / "bin").string()}}},
                               {"timeout", 5}});
  EXPECT_EQ(spoofed, 403) << spoof_why.dump();
  EXPECT_FALSE(std::filesystem::exists(marker));
  // The builtin developer runs as goose, which the list does not name.
  auto [builtin, builtin_why] =
      Post("/extensions/add", {{"type", "builtin"}, {"name", "developer"}});
  EXPECT_EQ(builtin, 403) << builtin_why.dump();
}

TEST_F(SecurityTest, AnUnrunnableAllowListIsRefusedAtStart) {
  api_.process.reset();
  Result<goose::testing::RunningProgram> api = goose::testing::StartProgram(
      {ProgramPath("goose-api")}, {{"GOOSE_API_KEY", kKey},
                                   {"GOOSE_API_PORT", "0"},
                                   {"GOOSE_API_SESSIONS_DIR", (dir_.path() / "sessions").string()},
                                   {"GOOSE_API_EXTENSIONS", "no-such-program-here"}});
  ASSERT_FALSE(api.ok());
  EXPECT_NE(api.status().message().find("GOOSE_API_EXTENSIONS lists no-such-program-here"),
            std::string::npos)
      << api.status().message();
}

// --- What an error tells ---------------------------------------------------

TEST_F(SecurityTest, ABrokenSessionFileIsNamedByItsIdNotItsPath) {
  const std::string id = "20261203_broken";
  const auto sessions = dir_.path() / "sessions";
  goose::testing::WriteWholeFile((sessions / (id + ".jsonl")).string(), "{not json\n");
  auto [status, body] = Post("/session/get", {{"session_id", id}});
  EXPECT_EQ(status, 500) << body.dump();
  const std::string message = body.value("message", "");
  EXPECT_NE(message.find("session " + id), std::string::npos) << message;
  EXPECT_EQ(message.find(sessions.string()), std::string::npos) << message;
  EXPECT_EQ(message.find('/'), std::string::npos) << message;
  auto [reply_status, reply] = Post("/session/reply", {{"session_id", id}, {"prompt", "hi"}});
  EXPECT_EQ(reply.dump().find(sessions.string()), std::string::npos) << reply.dump();
  // The path is in the log, for the operator.
  EXPECT_TRUE(WaitUntil(
      [&] { return api_.process->StderrTail().find(sessions.string()) != std::string::npos; }));
}

// --- What an ended session allows ------------------------------------------

TEST_F(SecurityTest, AnEndedSessionIsNotFoundUntilTheServerRestarts) {
  const std::string id = StartSessionWithTools();
  ASSERT_EQ(Post("/session/end", {{"session_id", id}}).first, 200);
  auto [status, body] = Post("/session/reply", {{"session_id", id}, {"prompt", "again"}});
  EXPECT_EQ(status, 404) << body.dump();
  EXPECT_NE(body.value("message", "").find("Session not found"), std::string::npos);
  EXPECT_EQ(Post("/session/end", {{"session_id", id}}).first, 404);
  // The file stays for goose's CLI; a new server process resumes it.
  EXPECT_EQ(Post("/session/get", {{"session_id", id}}).first, 200);
  api_.process.reset();
  StartServer({});
  auto [resumed, answer] = Post("/session/reply", {{"session_id", id}, {"prompt", "again"}});
  EXPECT_EQ(resumed, 200) << answer.dump();
}

// --- What the sessions directory lets in ------------------------------------

TEST_F(SecurityTest, TheSessionsDirectoryIsPrivateAndAFifoHangsNoWorker) {
  const auto sessions = dir_.path() / "sessions";
  struct stat st {};
  ASSERT_EQ(::stat(sessions.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // A FIFO planted where a session file would be: reading it must not
  // block a worker (no writer will ever open it).
  const std::string id = "20261203_fifo";
  ASSERT_EQ(::mkfifo((sessions / (id + ".jsonl")).c_str(), 0600), 0);
  for (const char* path : {"/session/get", "/session/reply"}) {
    auto [status, body] = Post(path, {{"session_id", id}, {"prompt", "x"}});
    EXPECT_GE(status, 400) << path << ": " << body.dump();
    EXPECT_NE(body.value("message", "").find("not a regular file"), std::string::npos)
        << body.dump();
  }
  auto list = client_->Get("/sessions/list", {{"x-api-key", kKey}});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
}

TEST_F(SecurityTest, AnOpenSessionsDirectoryIsWarnedAbout) {
  const auto open_dir = dir_.path() / "open";
  std::filesystem::create_directories(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  api_.process.reset();
  StartServer({{"GOOSE_API_SESSIONS_DIR", open_dir.string()}, {"GOOSE_API_LOG_LEVEL", "info"}});
  EXPECT_TRUE(WaitUntil([&] {
    return api_.process->StderrTail().find("is writable by other users") != std::string::npos;
  })) << api_.process->StderrTail();
}

// --- How long SIGTERM takes, whatever is in flight --------------------------

// SIGTERM, then the exit status within `bound`: 0 means the shutdown
// itself finished (every wait was cancelled), not the backstop (status 1).
void ExpectPromptCleanExit(goose::testing::RunningProgram& api, std::chrono::seconds bound) {
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(api.process->pid(), SIGTERM), 0);
  std::optional<ExitStatus> exit;
  EXPECT_TRUE(WaitUntil([&] { return (exit = api.process->TryReap()).has_value(); }, bound));
  ASSERT_TRUE(exit.has_value()) << "goose-api still running " << bound.count()
                                << " s after SIGTERM";
  EXPECT_EQ(*exit, (ExitStatus{0, 0})) << exit->ToString() << "\n" << api.process->StderrTail();
  EXPECT_LT(std::chrono::steady_clock::now() - sent, bound);
}

TEST_F(SecurityTest, SigtermDuringAnExtensionProbeThatNeverAnswersExitsPromptly) {
  // The backstop far away: only cancellation can make the exit prompt.
  StartServer({{"GOOSE_API_SHUTDOWN_TIMEOUT_SECS", "300"}});
  auto adding = std::async(std::launch::async, [&] {
    return Post("/extensions/add", {{"type", "stdio"},
                                    {"name", "mute"},
                                    {"cmd", ProgramPath("mock-mcp")},
                                    {"args", {"--ignore-initialize"}},
                                    {"timeout", 86400}});
  });
  ASSERT_TRUE(WaitUntil([&] { return ServerTree().size() >= 2; }));  // shim + mock-mcp
  ExpectPromptCleanExit(api_, 20s);
  auto [status, body] = adding.get();
  EXPECT_NE(status, 200) << body.dump();
}

TEST_F(SecurityTest, SigtermDuringAToolCallThatNeverAnswersExitsPromptly) {
  // A provider whose first turn calls a tool that never answers.
  const std::string script = (dir_.path() / "hang.json").string();
  goose::testing::WriteWholeFile(script, R"({"name": "hang", "turns": [
      {"messages": [{"text": "Waiting.", "tool_calls": [{"name": "alpha__hang", "arguments": {}}]}]},
      {"messages": [{"text": "Never reached."}]}]})");
  Result<goose::testing::RunningProgram> hang_llm = goose::testing::StartProgram(
      {ProgramPath("mock-llm"), "--port", "0", "--script", script}, {});
  ASSERT_TRUE(hang_llm.ok()) << hang_llm.status().ToString();
  StartServer({{"GOOSE_API_SHUTDOWN_TIMEOUT_SECS", "300"},
               {"GOOSE_API_MODEL", "hang"},
               {"OPENAI_HOST", "http://127.0.0.1:" + std::to_string(hang_llm->port)}});
  auto [status, body] = Post("/extensions/add", {{"type", "stdio"},
                                                 {"name", "alpha"},
                                                 {"cmd", ProgramPath("mock-mcp")},
                                                 {"args", Json::array()},
                                                 {"timeout", 86400}});
  ASSERT_EQ(status, 200) << body.dump();
  auto replying = std::async(std::launch::async, [&] {
    return Post("/session/start", {{"prompt", "hang a while"}});
  });
  // The tool call is in flight once the first turn's stream has been read.
  ASSERT_TRUE(WaitUntil([&] {
    auto stats = httplib::Client("127.0.0.1", hang_llm->port).Get("/mock/stats");
    return stats && Json::parse(stats->body).value("streams_completed", 0) >= 1;
  }));
  std::this_thread::sleep_for(300ms);
  ExpectPromptCleanExit(api_, 20s);
  // The reply ended with the server: failed (cancelled, or the connection
  // closed), or answered when the interrupted call let its last turn finish
  // first (the tool's failure is then in the answer). Either way, not hung.
  auto [reply_status, reply] = replying.get();
  if (reply_status == 200) {
    EXPECT_NE(reply.dump().find("Never reached."), std::string::npos) << reply.dump();
  }
}

TEST_F(SecurityTest, SigtermDuringASummaryTheProviderNeverAnswersExitsPromptly) {
  // A provider that takes the request and never answers (a listening
  // socket nobody accepts from), with a total timeout far away.
  UniqueFd silent(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(silent.valid());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(silent.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(silent.get(), 16), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(silent.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  // A stored session to summarize (the provider is never needed to make it).
  const std::string id = "20261203_summary";
  {
    SessionStore store(dir_.path() / "sessions");
    Session session;
    session.messages = {Message::User("hello"), Message::Assistant("hi")};
    ASSERT_TRUE(store.Write(id, session).ok());
  }
  StartServer({{"GOOSE_API_SHUTDOWN_TIMEOUT_SECS", "300"},
               {"OPENAI_HOST", "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port))},
               {"GOOSE_API_PROVIDER_TIMEOUT_SECS", "600"}});
  auto summarizing = std::async(std::launch::async, [&] {
    return Post("/session/summarize", {{"session_id", id}});
  });
  httplib::Client observer("127.0.0.1", api_.port);  // client_ is busy with the summary
  ASSERT_TRUE(WaitUntil([&] {
    auto m = observer.Get("/metrics", {{"x-api-key", kKey}});
    return m && Json::parse(m->body)["resources"].value("provider_connections", 0) >= 1;
  }));
  ExpectPromptCleanExit(api_, 20s);
  auto [status, body] = summarizing.get();
  EXPECT_NE(status, 200) << body.dump();
}

}  // namespace
}  // namespace goose
