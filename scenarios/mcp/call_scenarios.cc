// calls, cancel and concurrency (mcp_scenario.h).

#include <thread>

#include "scenarios/mcp/mcp_scenario_base.h"
#include "scenarios/mcp/mcp_thresholds.h"

namespace goose::scenarios {
namespace {

ScenarioInfo Info(std::string name, std::string description, std::string measures, int warmup,
                  int iterations) {
  ScenarioInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.measures = std::move(measures);
  info.warmup = warmup;
  info.iterations = iterations;
  info.heap_thresholds = McpThresholds();
  return info;
}

// Sends the script once per iteration, in order.
class CallsScenario : public McpScenario {
 public:
  explicit CallsScenario(McpScenarioOptions options)
      : McpScenario(Info("calls", "the call script, once per iteration",
                         "heap (per runtime), open_fds, threads, descendants", 20, 200),
                    std::move(options)) {}

  Status Setup(Target& target) override {
    Result<McpTarget*> mcp = AsMcp(target);
    if (!mcp.ok()) return mcp.status();
    mcp_ = *mcp;
    return script_.calls.empty() ? PrepareScript(*mcp_) : Status::Ok();
  }
  Status Iterate(Target&, int i) override {
    for (const McpCall& call : script_.calls) {
      if (Status s = Send(mcp_->client(), call, i); !s.ok()) return s;
    }
    return Status::Ok();
  }
  Status Teardown(Target&) override { return Status::Ok(); }

 private:
  McpTarget* mcp_ = nullptr;
};

// Every call cancelled right after it is sent: the client gives up on it
// at once (McpClient sends notifications/cancelled and drops the late
// answer); a ping after them waits until the server has read them all.
class CancelScenario : public McpScenario {
 public:
  explicit CancelScenario(McpScenarioOptions options)
      : McpScenario(
            Info("cancel",
                 "every call of the script cancelled in flight "
                 "(notifications/cancelled), then a ping",
                 "heap, open_fds, threads, descendants: a cancelled call leaves nothing", 20, 150),
            std::move(options)) {}

  Status Setup(Target& target) override {
    Result<McpTarget*> mcp = AsMcp(target);
    if (!mcp.ok()) return mcp.status();
    mcp_ = *mcp;
    return script_.calls.empty() ? PrepareScript(*mcp_) : Status::Ok();
  }
  Status Iterate(Target&, int i) override {
    for (const McpCall& call : script_.calls) {
      if (call.method == "ping") continue;
      Result<Json> answer = mcp_->client().Request(call.method, Instantiate(call.params, i),
                                                   std::chrono::milliseconds(1));
      if (!answer.ok() && answer.status().code() != StatusCode::kDeadlineExceeded &&
          answer.status().code() != StatusCode::kInternal) {
        return Status(answer.status().code(), call.method + ": " + answer.status().message());
      }
    }
    return Send(mcp_->client(), {"ping", Json::object()}, i);
  }
  Status Teardown(Target&) override { return Status::Ok(); }

 private:
  McpTarget* mcp_ = nullptr;
};

// The script sent by `clients` threads at once, each request with its own
// id; every answer must reach the request that asked.
class ConcurrencyScenario : public McpScenario {
 public:
  explicit ConcurrencyScenario(McpScenarioOptions options)
      : McpScenario(Info("concurrency", "the call script from several threads at once",
                         "heap, open_fds, threads, descendants: nothing left per request in "
                         "flight",
                         10, 100),
                    std::move(options)),
        results_(static_cast<size_t>(std::max(1, options_.clients))) {}

  Status Setup(Target& target) override {
    Result<McpTarget*> mcp = AsMcp(target);
    if (!mcp.ok()) return mcp.status();
    mcp_ = *mcp;
    if (!script_.calls.empty()) return Status::Ok();
    Status s = PrepareScript(*mcp_);
    info_.requests_per_iteration *= static_cast<int>(results_.size());
    return s;
  }
  Status Iterate(Target&, int i) override {
    {
      std::vector<std::jthread> threads;
      for (size_t c = 0; c < results_.size(); ++c) {
        threads.emplace_back([this, c, i] {
          results_[c] = Status::Ok();
          for (const McpCall& call : script_.calls) {
            if (Status s = Send(mcp_->client(), call, i); !s.ok()) {
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
  Status Teardown(Target&) override { return Status::Ok(); }

 private:
  McpTarget* mcp_ = nullptr;
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
