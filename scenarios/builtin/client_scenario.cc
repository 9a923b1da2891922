#include "scenarios/builtin/client_scenario.h"

#include "scenarios/builtin/script_util.h"

namespace goose::scenarios {

std::string SpawnHelpersScript(std::string_view name) {
  return R"({"name": ")" + std::string(name) + R"(",
  "loop": true,
  "turns": [
    {"messages": [{"text": "Starting helpers.", "chunks": 2,
       "tool_calls": [
         {"name": "mcp__spawn_grandchild", "arguments": {"seconds": 300}},
         {"name": "mcp__spawn_grandchild", "arguments": {"seconds": 300, "orphan": true}}]}]},
    {"messages": [{"text": "Helpers started.", "chunks": 2}]}
  ]})";
}

std::string ExtensionScript(std::string_view name, const ExtensionCommand& extension) {
  if (extension.is_mock_mcp) return SpawnHelpersScript(name);
  return R"({"name": ")" + std::string(name) + R"(",
  "loop": true,
  "turns": [{"messages": [{"text": "Nothing to call.", "chunks": 2}]}]})";
}

Status AddExtension(ApiClient& client, const ExtensionCommand& extension) {
  HttpAnswer added = client.Post("/extensions/add", ExtensionConfig(extension));
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
  r.extension = extension_;
  Require(r);
  return r;
}

bool ClientScenario::SetExtension(const ExtensionCommand& extension) {
  if (!info_.needs.extension) return false;
  extension_ = extension;
  return true;
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

std::vector<Deviation> ClientScenario::Deviations() const {
  std::lock_guard lock(deviations_mutex_);
  return deviations_;
}

void ClientScenario::Notice(const std::string& what) {
  if (!lenient_) return;
  std::lock_guard lock(deviations_mutex_);
  for (Deviation& d : deviations_) {
    if (d.what == what) {
      ++d.count;
      return;
    }
  }
  deviations_.push_back({what, 1});
}

Status ClientScenario::Deviate(const std::string& what, const HttpAnswer& answer,
                               const std::string& expected) {
  if (!lenient_) return AnswerError(what + expected, answer);
  std::string text = what + " answered " + std::to_string(answer.status);
  if (answer.body.is_object() && answer.body.contains("status") &&
      answer.body["status"].is_string()) {
    text += " status \"" + answer.body["status"].get<std::string>() + "\"";
  }
  Notice(text + expected);
  return Status::Ok();
}

Result<std::string> ClientScenario::StartSession(ApiClient& client, const std::string& prompt) {
  HttpAnswer a = client.Post("/session/start", {{"prompt", prompt}});
  if (!a.ok() || !a.body.is_object() || !a.body.contains("session_id") ||
      !a.body["session_id"].is_string()) {
    return AnswerError("POST /session/start", a);  // without a session there is nothing to drive
  }
  if (a.body.value("status", "") != "success") {
    Notice("POST /session/start answered status \"" + a.body.value("status", "") + "\"");
  }
  return a.body["session_id"].get<std::string>();
}

Status ClientScenario::Reply(ApiClient& client, const std::string& session_id,
                             const std::string& prompt) {
  HttpAnswer a = client.Post("/session/reply", {{"session_id", session_id}, {"prompt", prompt}});
  if (a.status < 0) return AnswerError("POST /session/reply", a);
  if (!a.ok()) return Deviate("POST /session/reply", a);
  if (a.body.is_object() && a.body.value("status", "") != "success") {
    Notice("POST /session/reply answered status \"" + a.body.value("status", "") + "\"");
  }
  if (a.body.is_object() && a.body.value("message", "").starts_with("Reply: ")) {
    Notice("a reply's message starts with \"Reply: \" (goose-api's prefix)");
  }
  return Status::Ok();
}

Status ClientScenario::EndSession(ApiClient& client, const std::string& session_id) {
  HttpAnswer a = client.Post("/session/end", {{"session_id", session_id}});
  if (a.status < 0) return AnswerError("POST /session/end", a);
  return a.ok() ? Status::Ok() : Deviate("POST /session/end", a);
}

}  // namespace goose::scenarios
