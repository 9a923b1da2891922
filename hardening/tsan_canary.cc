// tsan_canary: a deliberate data race in our code, run under the tsan
// preset with the project's suppressions (ci/tsan.supp). CTest expects
// ThreadSanitizer to report it (PASS_REGULAR_EXPRESSION on the report's
// SUMMARY line naming this file), so a suppression that is too broad, one
// that would also hide races in our handlers, makes this test fail.
//
// The race sits where our real code runs: in a route handler of
// goose::HttpServer, called by cpp-httplib's worker threads from the
// uninstrumented libcpp-httplib.so. Two clients send requests at once, so
// two workers run the handler concurrently, and the handler increments a
// plain int without a lock. TSan orders every socket read after every
// earlier socket write (one sync object for all sockets), which would order
// two quick handler calls; so the first two calls meet at a latch after
// their unguarded write and before they answer: the two writes are then
// unordered on every run, not only when the scheduler interleaves them.
// Any suppression matching a frame of that stack (`race:httplib::...`,
// `race:libcpp-httplib.so`, `race:std::function`) would hide it.
//
// Exit status: 0 when every request was answered (then TSan did not stop
// the process: the canary failed to trip), 1 on a setup error. Under
// halt_on_error=1 a reported race exits with TSan's status 66.

#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <latch>
#include <thread>
#include <vector>

#include "core/base/http_server.h"

namespace {

// Written by every handler call without synchronisation: the race.
int g_unguarded_hits = 0;

// Not inlined, so the report's SUMMARY line names it.
[[gnu::noinline]] void CountRequestRacily() { g_unguarded_hits = g_unguarded_hits + 1; }

constexpr int kClients = 2;
constexpr int kRequestsPerClient = 20;

}  // namespace

int main() {
  goose::HttpLimits limits;
  limits.threads = 4;
  goose::HttpServer server(limits);
  std::latch first_calls_met(kClients);
  std::atomic<int> calls{0};
  server.Get("/hit", [&](const httplib::Request&, httplib::Response& res) {
    CountRequestRacily();
    // Relaxed: no ordering of its own. Each client waits for its answer, so
    // the first kClients calls come from different clients, at once.
    if (calls.fetch_add(1, std::memory_order_relaxed) < kClients) {
      first_calls_met.arrive_and_wait();
    }
    res.set_content("ok", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "tsan_canary: cannot bind 127.0.0.1\n");
    return 1;
  }
  int answered = 0;
  {
    std::jthread listener([&server] { server.listen_after_bind(); });
    // Bound already: clients may connect before the listener accepts.
    std::vector<int> ok(kClients, 0);
    {
      std::vector<std::jthread> clients;
      for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([port, &ok, c] {
          httplib::Client client("127.0.0.1", port);
          client.set_tcp_nodelay(true);
          client.set_keep_alive(true);
          for (int i = 0; i < kRequestsPerClient; ++i) {
            auto res = client.Get("/hit");
            if (res && res->status == 200) ++ok[static_cast<size_t>(c)];
          }
        });
      }
    }  // clients joined
    for (int n : ok) answered += n;
    server.Shutdown();
  }  // listener joined
  std::printf("tsan_canary: %d of %d requests answered, %d counted; no race was reported\n",
              answered, kClients * kRequestsPerClient, g_unguarded_hits);
  return 0;
}
