#include "core/providers/tests/fake_openai_server.h"

#include <cstdlib>
#include <memory>

#include "core/providers/condition_wait.h"

namespace goose::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How often kWriteUntilClientGone probes, and for how long at most. The
// first write after the client closed usually succeeds (the kernel buffers
// it and the client's RST comes back); the next one fails.
constexpr milliseconds kProbeInterval{2};
constexpr milliseconds kProbeLimit{10'000};

}  // namespace

Step Write(std::string bytes) { return Step{Step::Kind::kWrite, std::move(bytes)}; }
Step Stall() { return Step{Step::Kind::kStall, {}}; }
Step CloseAbruptly() { return Step{Step::Kind::kCloseAbruptly, {}}; }
Step WriteUntilClientGone() { return Step{Step::Kind::kWriteUntilClientGone, {}}; }

CannedAnswer SseAnswer(std::vector<Step> steps) {
  CannedAnswer answer;
  answer.steps = std::move(steps);
  return answer;
}

CannedAnswer JsonAnswer(int status, std::string body,
                        std::vector<std::pair<std::string, std::string>> headers) {
  CannedAnswer answer;
  answer.status = status;
  answer.content_type = "application/json";
  answer.chunked = false;
  answer.body = std::move(body);
  answer.headers = std::move(headers);
  return answer;
}

std::string SseData(const Json& json) { return "data: " + JsonDump(json) + "\n\n"; }
std::string SseDone() { return "data: [DONE]\n\n"; }

Json TextChunk(const std::string& id, const std::string& text) {
  return Json{{"id", id},
              {"object", "chat.completion.chunk"},
              {"created", 1700000000},
              {"model", "test-model"},
              {"choices", Json::array({{{"index", 0},
                                        {"delta", {{"role", "assistant"}, {"content", text}}},
                                        {"finish_reason", nullptr}}})}};
}

Json FinishChunk(const std::string& id, const std::string& reason) {
  return Json{
      {"id", id},
      {"object", "chat.completion.chunk"},
      {"choices",
       Json::array({{{"index", 0}, {"delta", Json::object()}, {"finish_reason", reason}}})}};
}

Json ToolCallChunk(const std::string& id, int index, const std::string& call_id,
                   const std::string& name, const std::string& arguments) {
  Json call = {{"index", index}, {"function", {{"arguments", arguments}}}};
  if (!call_id.empty()) {
    call["id"] = call_id;
    call["type"] = "function";
  }
  if (!name.empty()) call["function"]["name"] = name;
  return Json{{"id", id},
              {"object", "chat.completion.chunk"},
              {"choices", Json::array({{{"index", 0},
                                        {"delta", {{"tool_calls", Json::array({call})}}},
                                        {"finish_reason", nullptr}}})}};
}

Json UsageChunk(const std::string& id, int prompt_tokens, int completion_tokens) {
  return Json{{"id", id},
              {"object", "chat.completion.chunk"},
              {"choices", Json::array()},
              {"usage",
               {{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion_tokens},
                {"total_tokens", prompt_tokens + completion_tokens}}}};
}

FakeOpenAIServer::FakeOpenAIServer() : tls_(false), server_(std::make_unique<httplib::Server>()) {
  Start();
}

FakeOpenAIServer::FakeOpenAIServer(const std::string& cert_file, const std::string& key_file)
    : tls_(true),
      server_(std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str())) {
  if (!server_->is_valid()) std::abort();  // the files did not load
  Start();
}

void FakeOpenAIServer::Start() {
  server_->set_tcp_nodelay(true);
  server_->Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) std::abort();
  // The socket listens from here on: connections wait in the backlog until
  // the accept loop runs.
  listener_ = std::jthread([this] { server_->listen_after_bind(); });
  // Server::stop() does nothing before the accept loop has started, so the
  // destructor could not stop a server it races with. httplib 0.11.4 offers
  // no wait for "running", hence the poll.
  const auto limit = steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && steady_clock::now() < limit) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  if (!server_->is_running()) std::abort();
}

FakeOpenAIServer::~FakeOpenAIServer() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  server_->stop();
  if (listener_.joinable()) listener_.join();
}

OpenAIConfig FakeOpenAIServer::Config() const {
  OpenAIConfig config;
  config.scheme = tls_ ? "https" : "http";
  config.host = "127.0.0.1";
  config.port = port_;
  config.base_path = "/v1/chat/completions";
  config.api_key = "test-key";
  config.model = "test-model";
  config.connect_timeout = milliseconds(5'000);
  // Far above the tests' bounds on "promptly", so a cancel that does not
  // break the socket shows as a failure, not as a wait for a timeout.
  config.idle_timeout = milliseconds(120'000);
  config.total_timeout = milliseconds(300'000);
  config.max_retries = 0;
  config.max_retry_wait = milliseconds(200);
  config.initial_backoff = milliseconds(10);
  return config;
}

void FakeOpenAIServer::Enqueue(CannedAnswer answer) {
  MutexLock lock(mu_);
  answers_.push_back(std::move(answer));
}

std::vector<RecordedRequest> FakeOpenAIServer::Requests() const {
  MutexLock lock(mu_);
  return requests_;
}

bool FakeOpenAIServer::WaitForRequests(size_t count, milliseconds timeout) const {
  const auto deadline = steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (requests_.size() < count) {
    if (!goose::WaitUntil(cv_, mu_, deadline) && steady_clock::now() >= deadline) break;
  }
  return requests_.size() >= count;
}

bool FakeOpenAIServer::WaitForStalls(int count, milliseconds timeout) const {
  const auto deadline = steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (stalls_ < count) {
    if (!goose::WaitUntil(cv_, mu_, deadline) && steady_clock::now() >= deadline) break;
  }
  return stalls_ >= count;
}

void FakeOpenAIServer::ReleaseStalls() {
  MutexLock lock(mu_);
  stalls_released_ = true;
  cv_.notify_all();
}

bool FakeOpenAIServer::WaitForReleases(int succeeded, int failed, milliseconds timeout) const {
  const auto deadline = steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (releases_succeeded_ < succeeded || releases_failed_ < failed) {
    if (!goose::WaitUntil(cv_, mu_, deadline) && steady_clock::now() >= deadline) break;
  }
  return releases_succeeded_ >= succeeded && releases_failed_ >= failed;
}

int FakeOpenAIServer::releases_succeeded() const {
  MutexLock lock(mu_);
  return releases_succeeded_;
}

int FakeOpenAIServer::releases_failed() const {
  MutexLock lock(mu_);
  return releases_failed_;
}

void FakeOpenAIServer::Handle(const httplib::Request& request, httplib::Response& response) {
  CannedAnswer answer;
  {
    MutexLock lock(mu_);
    requests_.push_back(RecordedRequest{request.path, request.body, request.headers});
    cv_.notify_all();
    if (answers_.empty()) {
      answer = JsonAnswer(500, R"({"error":{"message":"the test queued no answer"}})");
    } else {
      answer = std::move(answers_.front());
      answers_.pop_front();
    }
  }
  response.status = answer.status;
  for (auto& [name, value] : answer.headers) response.set_header(name, value);
  if (!answer.chunked) {
    response.set_content(answer.body, answer.content_type);
    return;
  }
  auto steps = std::make_shared<std::vector<Step>>(std::move(answer.steps));
  response.set_chunked_content_provider(
      answer.content_type,
      [this, steps](size_t /*offset*/, httplib::DataSink& sink) {
        if (!RunSteps(*steps, sink)) return false;
        sink.done();
        return true;
      },
      [this](bool success) {
        MutexLock lock(mu_);
        ++(success ? releases_succeeded_ : releases_failed_);
        cv_.notify_all();
      });
}

bool FakeOpenAIServer::RunSteps(const std::vector<Step>& steps, httplib::DataSink& sink) {
  for (const Step& step : steps) {
    switch (step.kind) {
      case Step::Kind::kWrite:
        if (!sink.write(step.bytes.data(), step.bytes.size())) return false;
        break;
      case Step::Kind::kStall: {
        MutexLock lock(mu_);
        ++stalls_;
        cv_.notify_all();
        while (!stalls_released_ && !stopping_) {
          goose::WaitUntil(cv_, mu_, steady_clock::now() + std::chrono::seconds(1));
        }
        if (stopping_) return false;
        break;
      }
      case Step::Kind::kCloseAbruptly:
        return false;
      case Step::Kind::kWriteUntilClientGone: {
        static constexpr std::string_view kPing = ": ping\n\n";
        const auto limit = steady_clock::now() + kProbeLimit;
        while (steady_clock::now() < limit) {
          if (!sink.write(kPing.data(), kPing.size())) return false;
          MutexLock lock(mu_);
          if (stopping_) return false;
          goose::WaitUntil(cv_, mu_, steady_clock::now() + kProbeInterval);
        }
        break;  // the client never went away: the answer ends normally
      }
    }
  }
  return true;
}

}  // namespace goose::testing
