// Memory given back after the work: goose-api (a process of its own, its
// provider mock-llm over HTTP, as deployed) grows one session to a 35 MiB
// conversation in 40 replies (900 KiB prompts, the request body limit
// allowing), and the session ends; goose-api's resident memory must come
// back to within 16 MiB of where it was before the session. glibc keeps
// freed memory in its arenas and tcmalloc in its page heap until asked
// (core/base/memory_release.h). Canary: keep_freed_memory (never asked,
// glibc's thresholds left dynamic): the same session leaves the RSS high.
// And the peak (VmHWM) over the session is at most twice the conversation
// and 32 MiB; canary: request_dom (each turn's provider request as a JSON
// document, dumped, copied).
//
// Not built under ASan or TSan: their allocators hold freed memory in
// quarantine and shadow on purpose, and are not asked.

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "core/base/json.h"
#include "core/base/process_stats.h"
#include "scenarios/probe/peak_meter.h"
#include "scenarios/targets/process_target.h"

namespace goose {
namespace {

using scenarios::ProcessTarget;
using testing::HttpAnswer;

#if !defined(GOOSE_HEAP_BACKEND_SANITIZER) && !defined(GOOSE_TSAN)

constexpr int kReplies = 40;
constexpr size_t kPromptBytes = 900 << 10;
constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kGivenBackWithin = 16 * kMiB;

// A prompt of about kPromptBytes, distinct per turn (nothing shared).
std::string Prompt(int turn) {
  std::string text;
  text.reserve(kPromptBytes + 32);
  for (int word = 0; text.size() < kPromptBytes; ++word) {
    text += "turn" + std::to_string(turn) + "word" + std::to_string(word) + " ";
  }
  return text;
}

struct Figures {
  int64_t before = 0, peak = 0, after = 0, conversation = 0;
  std::string ToString() const {
    return "RSS " + std::to_string(before / kMiB) + " MiB before, peak (VmHWM) " +
           std::to_string(peak / kMiB) + " MiB, " + std::to_string(after / kMiB) +
           " MiB after the session (conversation " + std::to_string(conversation / kMiB) + " MiB)";
  }
};

// The most goose-api's resident memory may reach in the session: twice the
// conversation and 32 MiB.
int64_t PeakBound(const Figures& f) { return 2 * f.conversation + 32 * kMiB; }

// goose-api's resident bytes.
int64_t ServerRss(const ProcessTarget& server) { return ReadProcessStats(server.pid()).rss_bytes; }

// The session, start to end, on goose-api started with `env`; the resident
// figures around it.
Figures OneLargeSession(std::map<std::string, std::string> env) {
  Figures f;
  ProcessTarget server(scenarios::TargetRequirements{}, std::move(env));
  Status started_server = server.Start();
  EXPECT_TRUE(started_server.ok()) << started_server.ToString();
  if (!started_server.ok()) return f;
  std::unique_ptr<testing::ApiClient> client = scenarios::ConnectTo(server);
  // The server's own first allocations (a small session) before measuring.
  HttpAnswer warm = client->Post("/session/start", {{"prompt", "warm up"}});
  EXPECT_EQ(warm.status, 200) << JsonDump(warm.body);
  client->Post("/session/end", {{"session_id", warm.body.value("session_id", "")}});
  f.before = ServerRss(server);
  EXPECT_TRUE(probe::ResetPeakRss(server.pid()));  // VmHWM from here
  HttpAnswer started = client->Post("/session/start", {{"prompt", Prompt(0)}});
  EXPECT_EQ(started.status, 200) << JsonDump(started.body).substr(0, 300);
  const std::string id = started.body.value("session_id", "");
  for (int turn = 1; turn < kReplies; ++turn) {
    HttpAnswer replied =
        client->Post("/session/reply", {{"session_id", id}, {"prompt", Prompt(turn)}});
    EXPECT_EQ(replied.status, 200) << JsonDump(replied.body).substr(0, 300);
    if (replied.status != 200) break;
  }
  f.peak = probe::ReadPeakRss(server.pid());
  f.conversation = static_cast<int64_t>(kReplies) * static_cast<int64_t>(kPromptBytes);
  HttpAnswer ended = client->Post("/session/end", {{"session_id", id}});
  EXPECT_EQ(ended.status, 200) << JsonDump(ended.body);
  // The release runs on the thread that frees the conversation, before
  // /session/end answers; the wait covers a reply still finishing.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  f.after = ServerRss(server);

  return f;
}

TEST(MemoryReturnGate, AnEndedLargeSessionIsGivenBack) {
  const Figures f = OneLargeSession({});
  std::cout << f.ToString() << "\n";
  EXPECT_GT(f.peak - f.before, 32 * kMiB)
      << "the session did not grow the server: " << f.ToString();
  EXPECT_LE(f.after - f.before, kGivenBackWithin) << f.ToString();
  // In proportion to the work: the conversation, and each turn's provider
  // request written as text beside it (no document, no copy).
  EXPECT_LE(f.peak, PeakBound(f)) << "the peak is out of proportion: " << f.ToString();
}

// The provider request built as a JSON document, dumped and copied, as it
// was: the peak gate fails.
TEST(MemoryReturnGate, CanaryRequestDomPeaksOutOfProportion) {
  const Figures f = OneLargeSession({{"GOOSE_API_FAILPOINTS", "request_dom"}});
  std::cout << f.ToString() << "\n";
  EXPECT_GT(f.peak, PeakBound(f)) << "the peak gate would pass with the document back: "
                                  << f.ToString();
}

TEST(MemoryReturnGate, CanaryKeepFreedMemoryStaysResident) {
  const Figures f = OneLargeSession({{"GOOSE_API_FAILPOINTS", "keep_freed_memory"}});
  std::cout << f.ToString() << "\n";
  EXPECT_GT(f.after - f.before, kGivenBackWithin)
      << "the gate would pass with the release taken out: " << f.ToString();
}

#endif

}  // namespace
}  // namespace goose
