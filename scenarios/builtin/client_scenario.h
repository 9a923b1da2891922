// ClientScenario: what the built-in scenarios share: their info, the mock
// provider's script written inline as JSON, their API clients (one, or
// several at once for the scenarios that have a concurrent form), the
// session calls checked against our goose-api's answers, and the
// deviations a lenient run records instead of failing (scenario.h).

#ifndef GOOSE_SCENARIOS_BUILTIN_CLIENT_SCENARIO_H_
#define GOOSE_SCENARIOS_BUILTIN_CLIENT_SCENARIO_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "scenarios/runner/scenario.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

// Adds `extension` as the stdio extension "mcp" through `client`.
Status AddExtension(ApiClient& client, const ExtensionCommand& extension);

// A looping mock script named `name` (mock-llm picks it by model name)
// whose first turn has mock-mcp spawn two long-lived grandchildren, one of
// them orphaned, and whose second turn answers.
std::string SpawnHelpersScript(std::string_view name);
// The script of a scenario whose sessions run extension(): the helpers
// script for mock-mcp; for a user's extension, whose tools are unknown
// (and calling one with made-up arguments could do anything), a looping
// answer without tool calls: each session starts the extension, runs its
// handshake and tool listing, and ends.
std::string ExtensionScript(std::string_view name, const ExtensionCommand& extension);

class ClientScenario : public Scenario {
 public:
  const ScenarioInfo& info() const override { return info_; }
  // The script (parsed for the in-process mock, as JSON text for mock-llm),
  // then what Require() adds.
  TargetRequirements requirements() const final;
  // Connects the clients.
  Status Setup(Target& target) override;
  // Drops them.
  Status Teardown(Target& target) override;
  void SetLenient(bool lenient) override { lenient_ = lenient; }
  std::vector<Deviation> Deviations() const override;
  // Kept for scenarios whose info says they need an extension.
  bool SetExtension(const ExtensionCommand& extension) override;

 protected:
  // `script_json` is a mock script with its "name"; empty for the default.
  ClientScenario(ScenarioInfo info, std::string_view script_json);

  // Replaces the script given at construction. REQUIRES: before
  // requirements().
  void SetScript(std::string script_json) { script_json_ = std::move(script_json); }

  // What else the scenario needs of the server (a short TTL, stdio
  // extensions, real processes).
  virtual void Require(TargetRequirements& requirements) const;

  // The first client (REQUIRES: between Setup and Teardown).
  ApiClient& client() { return *clients_.front(); }
  // How many clients Setup connects. REQUIRES: clients >= 1, before Setup.
  void SetClients(int clients);
  int clients() const { return client_count_; }
  // Runs `work(ApiClient&) -> Status` on every client at once (the first
  // on this thread) and returns the first error. Allocates nothing that
  // outlives it.
  template <typename Work>
  Status OnEveryClient(Work work) {
    for (size_t c = 1; c < clients_.size(); ++c) {
      threads_[c] = std::jthread([this, c, &work] { results_[c] = work(*clients_[c]); });
    }
    results_[0] = work(*clients_[0]);
    for (size_t c = 1; c < threads_.size(); ++c) threads_[c].join();
    for (Status& s : results_) {
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  // The session calls. An error when the scenario cannot go on (no
  // answer; no session id); an answer that differs from ours otherwise
  // goes through Deviate(). Lenient runs also record a status other than
  // "success" and goose-api's "Reply: " prefix.
  Result<std::string> StartSession(ApiClient& client, const std::string& prompt);
  Status Reply(ApiClient& client, const std::string& session_id, const std::string& prompt);
  Status EndSession(ApiClient& client, const std::string& session_id);

  // `answer` to `what` differs from our goose-api's: strict, an error
  // naming both; lenient, a deviation "<what> answered <status>[ status
  // \"<field>\"]<expected>" counted, and Ok. `expected` says what ours
  // answers, e.g. " (our goose-api: 500)".
  Status Deviate(const std::string& what, const HttpAnswer& answer,
                 const std::string& expected = "");
  // Records `what` as a deviation in a lenient run; nothing when strict.
  void Notice(const std::string& what);
  bool lenient() const { return lenient_; }
  // The extension the sessions run (mock-mcp unless SetExtension said).
  const ExtensionCommand& extension() const { return extension_; }
  // Adds extension() through `client` (the first client by default).
  Status AddExtension(ApiClient& client) { return scenarios::AddExtension(client, extension_); }
  Status AddExtension() { return AddExtension(client()); }

  ScenarioInfo info_;

 private:
  std::string script_json_;
  bool lenient_ = false;
  ExtensionCommand extension_ = MockMcpExtension();
  mutable std::mutex deviations_mutex_;
  std::vector<Deviation> deviations_;  // guarded by deviations_mutex_
  int client_count_ = 1;
  std::vector<std::unique_ptr<ApiClient>> clients_;
  std::vector<Status> results_;
  std::vector<std::jthread> threads_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_BUILTIN_CLIENT_SCENARIO_H_
