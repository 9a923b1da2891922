// AttachedTarget: a goose-api compatible server that is already running
// (leakcheck's --url URL --pid PID). Nothing is started or stopped; the
// server is driven over HTTP and watched through /proc of its pid.
//
// Observation: PSS as the heap series, fds and threads of the pid, the
// process tree below it (its descendants: this process is not their
// subreaper, so an orphan that leaves the tree is not seen), the ledger
// when the server publishes it in GET /metrics, and the mock's drain
// statistics only when the mock's URL is given (the server's provider is
// whatever it was started with). Its sessions folder is not known.

#ifndef GOOSE_SCENARIOS_TARGETS_ATTACHED_TARGET_H_
#define GOOSE_SCENARIOS_TARGETS_ATTACHED_TARGET_H_

#include <memory>
#include <string>

#include "scenarios/targets/server_observer.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

// "http://HOST:PORT" (a trailing "/" allowed) split; errors say what is
// wrong with the URL. Only plain http.
struct HttpEndpoint {
  std::string host;
  int port = 0;
};
Result<HttpEndpoint> ParseHttpUrl(const std::string& url);

class AttachedTarget : public Target {
 public:
  // `mock` has port 0 when there is no mock to read.
  AttachedTarget(HttpEndpoint server, pid_t pid, std::string api_key, HttpEndpoint mock);

  // The pid exists and can be read, and the server answers GET
  // /sessions/list with the key as goose-api does (and the mock answers
  // GET /mock/stats, when given). Errors say which and what to do.
  Status Validate();

  std::string host() const override { return server_.host; }
  int port() const override { return server_.port; }
  const std::string& api_key() const override { return api_key_; }
  const std::filesystem::path& sessions_dir() const override { return sessions_dir_; }
  pid_t pid() const override { return pid_; }
  bool heap_observable() const override { return false; }
  std::optional<LedgerSnapshot> Ledger() const override { return observer_.Ledger(); }
  std::optional<Json> ForeignMetrics() const override { return observer_.ForeignMetrics(); }
  std::optional<mock::MockStats> MockStats() const override;
  int64_t Descendants() const override;
  int KillStrayDescendants() override { return 0; }  // never ours to kill
  std::optional<double> ExternalHeapBytes() const override;
  std::string_view external_heap_kind() const override { return heap_kind_; }

  // True once the pid is gone.
  bool Exited() const;
  std::string ExitDescription() const override {
    return Exited() ? "the attached process is gone" : "";
  }

 private:
  const HttpEndpoint server_;
  const pid_t pid_;
  const std::string api_key_;
  const HttpEndpoint mock_;
  const std::filesystem::path sessions_dir_;  // empty: unknown
  std::string heap_kind_ = "pss";             // ServerObserver::PssKind
  ServerObserver observer_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_ATTACHED_TARGET_H_
