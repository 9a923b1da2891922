// shutdown and wrapper (mcp_scenario.h): fresh servers, ended as a client
// ends them, and what that left.

#include <unistd.h>

#include <map>
#include <set>

#include "core/base/process_tree.h"
#include "core/base/strings.h"
#include "scenarios/mcp/mcp_scenario_base.h"

namespace goose::scenarios {
namespace {

// Every process below this one now: not the fresh server's.
std::set<pid_t> ProcessesNow() {
  std::set<pid_t> pids;
  for (const ProcStat& p : goose::Descendants(::getpid())) pids.insert(p.pid);
  return pids;
}

// "sleep 3600 x2, node server.js" from "pid (command)" lines: the same
// violation reads the same whatever the pids.
std::string Commands(const std::vector<std::string>& processes) {
  std::map<std::string, int> count;
  std::vector<std::string> order;
  for (const std::string& p : processes) {
    const size_t open = p.find('(');
    const std::string command =
        open == std::string::npos ? p : p.substr(open + 1, p.size() - open - 2);
    if (count[command]++ == 0) order.push_back(command);
  }
  std::string out;
  for (const std::string& c : order) {
    AppendJoined(&out, ", ", c + (count[c] > 1 ? " x" + std::to_string(count[c]) : ""));
  }
  return out;
}

Json ToJson(const ClientShutdown& s) {
  return {{"ended_by", s.ended_by},
          {"seconds", s.seconds},
          {"exit_status", s.exit_status},
          {"tree", s.tree},
          {"left", s.left}};
}

class FreshServerScenario : public McpScenario {
 public:
  // Each kind of violation once, with how many starts showed it.
  std::vector<std::string> Violations() const override {
    std::vector<std::string> out;
    for (const std::string& what : order_) {
      out.push_back(what + " (" + std::to_string(violations_.at(what)) + " of " +
                    std::to_string(records_.size()) + " starts)");
    }
    return out;
  }
  Json Findings() const override { return {{info_.name, records_}}; }

 protected:
  using McpScenario::McpScenario;

  // A fresh server, initialized and given one run of the script (and, with
  // `timers`, logging/setLevel and a resource subscription, where the
  // server announces them), then ended as a client would (`signal_first`:
  // SIGTERM with stdin open). `given` says what it was given.
  Result<ClientShutdown> RunFreshServer(int i, bool timers, bool signal_first,
                                        std::string* given = nullptr) {
    const std::set<pid_t> others = ProcessesNow();
    McpTargetOptions options = options_.target;
    options.watch = &mcp().watch();  // the target's: a second watch would kill it when it goes
    McpTarget fresh(options);
    if (Status s = fresh.Start(); !s.ok()) return s;
    for (const McpCall& call : script_.calls) {
      if (Status s = Send(fresh.client(), call, i); !s.ok()) return s;
    }
    std::string sent = "the script";
    if (timers) sent += StartTimers(fresh, i);
    if (given != nullptr) *given = sent;
    return fresh.ShutDownAsClient(signal_first, options_.shutdown_grace, others);
  }

  // What a finding is: a violation when strict, else a Deviation.
  void Judge(const std::string& what, bool violated) {
    if (!violated) return;
    if (!options_.strict_shutdown) return Record(what);
    if (violations_[what]++ == 0) order_.push_back(what);
  }

  Json records_ = Json::array();

 private:
  // logging/setLevel and resources/subscribe, where announced: the
  // classic source of timers a server forgets to clear. What was sent, as
  // ", logging/setLevel, resources/subscribe" (empty: neither).
  std::string StartTimers(McpTarget& fresh, int i) {
    std::string sent;
    const Json& caps = fresh.server_info().capabilities;
    if (caps.contains("logging")) {
      (void)Send(fresh.client(), {"logging/setLevel", {{"level", "debug"}}}, i);
      sent += ", logging/setLevel";
    }
    const Json& resources = caps.value("resources", Json::object());
    if (!resources.is_object() || resources.value("subscribe", false) != true) return sent;
    Result<Json> list = fresh.client().Request("resources/list", Json::object());
    if (!list.ok() || !list->value("resources", Json::array()).is_array()) return sent;
    for (const Json& r : list->value("resources", Json::array())) {
      if (!r.is_object() || !r.value("uri", Json()).is_string()) continue;
      (void)Send(fresh.client(), {"resources/subscribe", {{"uri", r["uri"]}}}, i);
      return sent + ", resources/subscribe";
    }
    return sent;
  }

  std::map<std::string, int> violations_;  // what -> how many starts
  std::vector<std::string> order_;         // first seen first
};

class ShutdownScenario : public FreshServerScenario {
 public:
  explicit ShutdownScenario(McpScenarioOptions options)
      : FreshServerScenario(ShutdownInfo(), std::move(options)) {}

  Status Iterate(Target&, int i) override {
    const bool timers = i % 2 == 1;
    std::string sent;
    Result<ClientShutdown> s = RunFreshServer(i, timers, /*signal_first=*/false, &sent);
    if (!s.ok()) return s.status();
    Json record = ToJson(*s);
    record["start"] = i;
    record["after"] = sent;
    records_.push_back(std::move(record));
    const std::string given = " (given " + sent + ")";
    Judge("did not exit when its stdin closed; ended by " + s->ended_by + given,
          s->ended_by != "stdin closed");
    Judge("left " + Commands(s->left) + " running after it exited" + given, !s->left.empty());
    return Status::Ok();
  }

 private:
  static ScenarioInfo ShutdownInfo() {
    return McpInfo(
        "shutdown",
        "fresh servers given the script (every other one also logging/setLevel and a "
        "subscription), then stdin closed, SIGTERM, SIGKILL: how each ended and what it left",
        "exit on stdin close, signals needed, descendants left (orphans)", 0, 4,
        /*fresh_servers=*/true);
  }
};

class WrapperScenario : public FreshServerScenario {
 public:
  explicit WrapperScenario(McpScenarioOptions options)
      : FreshServerScenario(WrapperInfo(), std::move(options)) {}

  Status Iterate(Target&, int i) override {
    Result<ClientShutdown> s = RunFreshServer(i, /*timers=*/false, /*signal_first=*/true);
    if (!s.ok()) return s.status();
    Json record = ToJson(*s);
    record["start"] = i;
    records_.push_back(std::move(record));
    Judge("SIGTERM to the direct child left running: " + Commands(s->left) +
              " (the tree is in the report)",
          !s->left.empty());
    return Status::Ok();
  }

 private:
  static ScenarioInfo WrapperInfo() {
    return McpInfo(
        "wrapper",
        "fresh servers ended by SIGTERM to the direct child only, stdin still open, as a client "
        "behind a launcher (npx, uvx, sh -c) would: does the real server keep running?",
        "the process tree, and what outlives the direct child", 0, 2, /*fresh_servers=*/true);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeMcpShutdownScenario(const McpScenarioOptions& options) {
  return std::make_unique<ShutdownScenario>(options);
}
std::unique_ptr<Scenario> MakeMcpWrapperScenario(const McpScenarioOptions& options) {
  return std::make_unique<WrapperScenario>(options);
}

}  // namespace goose::scenarios
