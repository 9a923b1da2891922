#include "harness/api_client.h"

#include <httplib.h>

#include <mutex>

namespace goose::testing {
namespace {

std::mutex hook_mu;
RequestHook& Hook() {
  static RequestHook* const hook = new RequestHook();
  return *hook;
}

void RunHook() {
  std::lock_guard<std::mutex> lock(hook_mu);
  if (Hook()) Hook()();
}

}  // namespace

void SetRequestHook(RequestHook hook) {
  std::lock_guard<std::mutex> lock(hook_mu);
  Hook() = std::move(hook);
}

ApiClient::ApiClient(const std::string& host, int port, std::string api_key,
                     std::chrono::milliseconds read_timeout)
    : api_key_(std::move(api_key)), client_(std::make_unique<httplib::Client>(host, port)) {
  client_->set_tcp_nodelay(true);
  client_->set_keep_alive(true);
  client_->set_connection_timeout(std::chrono::seconds(10));
  client_->set_read_timeout(read_timeout);
  client_->set_write_timeout(std::chrono::seconds(10));
}

ApiClient::~ApiClient() = default;

HttpAnswer ApiClient::Finish(int status, const std::string* body) {
  HttpAnswer answer;
  answer.status = status;
  if (body != nullptr) answer.body = Json::parse(*body, nullptr, /*allow_exceptions=*/false);
  RunHook();
  return answer;
}

namespace {

httplib::Headers KeyHeader(const std::string& key) {
  if (key.empty()) return {};
  return {{"x-api-key", key}};
}

}  // namespace

HttpAnswer ApiClient::Post(const std::string& path, const Json& body) {
  httplib::Result res =
      client_->Post(path, KeyHeader(api_key_), JsonDump(body), "application/json");
  if (!res) return Finish(-1, nullptr);
  return Finish(res->status, &res->body);
}

HttpAnswer ApiClient::Get(const std::string& path) {
  httplib::Result res = client_->Get(path, KeyHeader(api_key_));
  if (!res) return Finish(-1, nullptr);
  return Finish(res->status, &res->body);
}

Result<std::string> ApiClient::StartSession(const std::string& prompt) {
  HttpAnswer a = Post("/session/start", {{"prompt", prompt}});
  if (!a.ok() || !a.body.is_object() || !a.body.contains("session_id") ||
      !a.body["session_id"].is_string()) {
    return AnswerError("POST /session/start", a);
  }
  return a.body["session_id"].get<std::string>();
}

Status ApiClient::Reply(const std::string& session_id, const std::string& prompt) {
  HttpAnswer a = Post("/session/reply", {{"session_id", session_id}, {"prompt", prompt}});
  return a.ok() ? Status::Ok() : AnswerError("POST /session/reply", a);
}

Status ApiClient::EndSession(const std::string& session_id) {
  HttpAnswer a = Post("/session/end", {{"session_id", session_id}});
  return a.ok() ? Status::Ok() : AnswerError("POST /session/end", a);
}

Status AnswerError(const std::string& what, const HttpAnswer& answer) {
  if (answer.status < 0) return Status(StatusCode::kUnavailable, what + ": no answer");
  return Status(StatusCode::kInternal,
                what + " answered " + std::to_string(answer.status) + ": " + JsonDump(answer.body));
}

}  // namespace goose::testing
