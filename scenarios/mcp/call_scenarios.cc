// calls, cancel and concurrency (mcp_scenario.h).

#include <thread>

#include "scenarios/mcp/mcp_scenario_base.h"

namespace goose::scenarios {
namespace {

// Sends the script once per iteration, in order.
class CallsScenario : public McpScenario {
 public:
  explicit CallsScenario(McpScenarioOptions options)
      : McpScenario(McpInfo("calls", "the call script, once per iteration",
                            "heap (per runtime), open_fds, threads, descendants", 20, 200),
                    std::move(options)) {}

  Status Iterate(Target&, int i) override {
    for (const McpCall& call : script_.calls) {
      if (Status s = Send(mcp().client(), call, i); !s.ok()) return s;
    }
    return Status::Ok();
  }
};

// Every call cancelled right after it is sent: the client gives up on it
// at once (McpClient sends notifications/cancelled and drops the late
// answer); a ping after them waits until the server has read them all.
class CancelScenario : public McpScenario {
 public:
  explicit CancelScenario(McpScenarioOptions options)
      : McpScenario(McpInfo("cancel",
                            "every call of the script cancelled in flight "
                            "(notifications/cancelled), then a ping",
                            "heap, open_fds, threads, descendants: a cancelled call leaves nothing",
                            20, 150),
                    std::move(options)) {}

  Status Iterate(Target&, int i) override {
    for (const McpCall& call : script_.calls) {
      if (call.method == "ping") continue;
      Result<Json> answer = mcp().client().Request(call.method, Instantiate(call.params, i),
                                                   std::chrono::milliseconds(1));
      if (!answer.ok() && answer.status().code() != StatusCode::kDeadlineExceeded &&
          answer.status().code() != StatusCode::kInternal) {
        return Status(answer.status().code(), call.method + ": " + answer.status().message());
      }
    }
    return Send(mcp().client(), {"ping", Json::object()}, i);
  }
};

// The script sent by `clients` threads at once, each request with its own
// id; every answer must reach the request that asked.
class ConcurrencyScenario : public McpScenario {
 public:
  explicit ConcurrencyScenario(McpScenarioOptions options)
      : McpScenario(McpInfo("concurrency", "the call script from several threads at once",
                            "heap, open_fds, threads, descendants: nothing left per request in "
                            "flight",
                            10, 100),
                    std::move(options)),
        results_(static_cast<size_t>(std::max(1, options_.clients))) {}

  Status Setup(Target& target) override {
    const bool first = script_.calls.empty();
    Status s = McpScenario::Setup(target);
    if (first) info_.requests_per_iteration *= static_cast<int>(results_.size());
    return s;
  }
  Status Iterate(Target&, int i) override {
    {
      std::vector<std::jthread> threads;
      for (size_t c = 0; c < results_.size(); ++c) {
        threads.emplace_back([this, c, i] {
          results_[c] = Status::Ok();
          for (const McpCall& call : script_.calls) {
            if (Status s = Send(mcp().client(), call, i); !s.ok()) {
              results_[c] = s;
              return;
            }
          }
        });
      }
    }  // joined
    for (const Status& s : results_) {
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  std::vector<Status> results_;
};

}  // namespace

std::unique_ptr<Scenario> MakeMcpCallsScenario(const McpScenarioOptions& options) {
  return std::make_unique<CallsScenario>(options);
}
std::unique_ptr<Scenario> MakeMcpCancelScenario(const McpScenarioOptions& options) {
  return std::make_unique<CancelScenario>(options);
}
std::unique_ptr<Scenario> MakeMcpConcurrencyScenario(const McpScenarioOptions& options) {
  return std::make_unique<ConcurrencyScenario>(options);
}

}  // namespace goose::scenarios
