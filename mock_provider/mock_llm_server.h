// MockLlmServer: the scripted LLM as an HTTP server (what mock-llm runs).
//
// Speaks OpenAI chat completions (POST /v1/chat/completions, streamed as
// SSE or not; GET /v1/models) and Anthropic Messages (POST /v1/messages),
// playing the same scripts as the in-process MockProvider. The script is
// chosen per request: the header `x-mock-script: <name>` (an unknown name is
// a 404), else the script whose name equals the request's model, else the
// default script. The turn is chosen by the request's own conversation
// (see SelectTurn), so concurrent sessions never disturb each other.
//
// Test routes:
//   GET  /mock/requests  the request journal (bounded ring; journal())
//   GET  /mock/stats     drain accounting (stats(); MockStats as JSON)
//   POST /mock/reset     clears the journal and the stats
//
// The server binds on Start() (port 0 picks a free port) and serves from a
// std::jthread; Stop() (and the destructor) wakes every scripted delay and
// stall, stops the listener and joins every thread before returning.
// Every connection has TCP_NODELAY set.
//
// Thread-safe: stats() and journal() may be used while requests run.

#ifndef GOOSE_MOCK_PROVIDER_MOCK_LLM_SERVER_H_
#define GOOSE_MOCK_PROVIDER_MOCK_LLM_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "mock_provider/mock_stats.h"
#include "mock_provider/request_journal.h"
#include "mock_provider/script.h"

namespace goose::mock {

struct MockLlmServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;                 // 0: any free port
  std::vector<Script> scripts;  // besides the built-in default
  uint64_t seed = 1;            // for scripts without their own "seed"
  size_t journal_size = 1000;   // requests kept by the journal
  size_t worker_threads = 64;   // concurrent connections served at once
  size_t max_request_bytes = 64u << 20;
};

class MockLlmServer {
 public:
  // Binds host:port and starts serving. Fails when the address cannot be
  // bound or two scripts share a name. The caller owns the server.
  static Result<std::unique_ptr<MockLlmServer>> Start(MockLlmServerOptions options);

  MockLlmServer(const MockLlmServer&) = delete;
  MockLlmServer& operator=(const MockLlmServer&) = delete;
  // Stop()s.
  ~MockLlmServer();

  // The bound port (the real one when started with port 0).
  int port() const;
  const std::string& host() const;
  // "http://<host>:<port>".
  std::string base_url() const;

  // Ends every reply in progress (clients see their connection close),
  // stops listening and joins the server's threads. Idempotent; call it
  // from the owner's thread.
  void Stop();

  MockStatsRecorder& stats();
  RequestJournal& journal();
  const ScriptLibrary& scripts() const;

 private:
  struct Impl;  // defined in the .cc (keeps httplib out of this header)
  explicit MockLlmServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_MOCK_LLM_SERVER_H_
