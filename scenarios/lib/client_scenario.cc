#include "scenarios/lib/client_scenario.h"

#include "scenarios/lib/script_util.h"

namespace goose::scenarios {

Status AddMockMcpExtension(ApiClient& client) {
  HttpAnswer added = client.Post("/extensions/add", {{"type", "stdio"},
                                                     {"name", "mcp"},
                                                     {"cmd", MockMcpPath()},
                                                     {"args", Json::array()},
                                                     {"envs", Json::object()},
                                                     {"timeout", 30}});
  if (!added.ok() || added.body.value("error", true)) {
    return AnswerError("POST /extensions/add", added);
  }
  return Status::Ok();
}

ClientScenario::ClientScenario(ScenarioInfo info, std::string_view script_json)
    : info_(std::move(info)), script_json_(script_json) {}

TargetRequirements ClientScenario::requirements() const {
  TargetRequirements r;
  if (!script_json_.empty()) {
    r.script = ScenarioScript(script_json_);
    r.script_json = script_json_;  // for targets that run mock-llm
  }
  Require(r);
  return r;
}

void ClientScenario::Require(TargetRequirements&) const {}

Status ClientScenario::Setup(Target& target) {
  clients_.clear();
  for (int c = 0; c < client_count_; ++c) clients_.push_back(ConnectTo(target));
  results_.resize(clients_.size());
  threads_.resize(clients_.size());
  return Status::Ok();
}

Status ClientScenario::Teardown(Target&) {
  clients_.clear();
  return Status::Ok();
}

void ClientScenario::SetClients(int clients) { client_count_ = clients; }

Status ClientScenario::OnEveryClient(Status (*work)(ApiClient&)) {
  for (size_t c = 1; c < clients_.size(); ++c) {
    threads_[c] = std::jthread([this, c, work] { results_[c] = work(*clients_[c]); });
  }
  results_[0] = work(*clients_[0]);
  for (size_t c = 1; c < threads_.size(); ++c) threads_[c].join();
  for (Status& s : results_) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace goose::scenarios
