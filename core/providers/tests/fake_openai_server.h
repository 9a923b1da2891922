// FakeOpenAIServer: a scripted OpenAI-compatible endpoint for the provider's
// integration tests.
//
// An httplib::Server on 127.0.0.1 (port chosen by the kernel) that answers
// each POST with the next canned answer: a plain body (JSON errors, 429s,
// non-streamed completions) or a chunked body written step by step, where a
// step writes bytes, stalls until the test releases it, closes the
// connection abruptly, or keeps writing SSE comments until the client is
// gone. The server records every request and, through the chunked
// provider's resource releaser, whether each chunked answer was delivered
// whole (success) or abandoned by the client (failure): the test's view of
// "the client went away".
//
// Thread-safe; the destructor releases every stall and stops the server.

#ifndef GOOSE_CORE_PROVIDERS_TESTS_FAKE_OPENAI_SERVER_H_
#define GOOSE_CORE_PROVIDERS_TESTS_FAKE_OPENAI_SERVER_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/base/json.h"
#include "core/base/thread_annotations.h"
#include "core/providers/openai_config.h"

namespace goose::testing {

// One step of a chunked answer.
struct Step {
  enum class Kind {
    kWrite,                 // write `bytes` as one HTTP chunk
    kStall,                 // wait until ReleaseStalls() (or the server stops)
    kCloseAbruptly,         // drop the connection without the final chunk
    kWriteUntilClientGone,  // write ": ping" comments until a write fails
  };
  Kind kind = Kind::kWrite;
  std::string bytes;
};

Step Write(std::string bytes);
Step Stall();
Step CloseAbruptly();
Step WriteUntilClientGone();

struct CannedAnswer {
  int status = 200;
  std::string content_type = "text/event-stream";
  std::vector<std::pair<std::string, std::string>> headers;
  bool chunked = true;
  std::string body;         // when !chunked
  std::vector<Step> steps;  // when chunked; the final chunk follows the last step
};

// A chunked text/event-stream answer.
CannedAnswer SseAnswer(std::vector<Step> steps);
// A plain answer with a JSON body.
CannedAnswer JsonAnswer(int status, std::string body,
                        std::vector<std::pair<std::string, std::string>> headers = {});

// SSE framing helpers.
std::string SseData(const Json& json);  // "data: <json>\n\n"
std::string SseDone();                  // "data: [DONE]\n\n"
// chat.completion.chunk frames.
Json TextChunk(const std::string& id, const std::string& text);
Json FinishChunk(const std::string& id, const std::string& reason);
Json ToolCallChunk(const std::string& id, int index, const std::string& call_id,
                   const std::string& name, const std::string& arguments);
Json UsageChunk(const std::string& id, int prompt_tokens, int completion_tokens);

struct RecordedRequest {
  std::string path;
  std::string body;
  httplib::Headers headers;
};

class FakeOpenAIServer {
 public:
  FakeOpenAIServer();
  // Over TLS, with this certificate chain and key (PEM files): Config()
  // then says https.
  FakeOpenAIServer(const std::string& cert_file, const std::string& key_file);
  ~FakeOpenAIServer();
  FakeOpenAIServer(const FakeOpenAIServer&) = delete;
  FakeOpenAIServer& operator=(const FakeOpenAIServer&) = delete;

  int port() const { return port_; }

  // A config pointing at this server: http://127.0.0.1:<port>/v1/chat/completions,
  // key "test-key", model "test-model", no retries, short retry waits.
  OpenAIConfig Config() const;

  // Answers are served in the order queued; a request with none queued gets
  // a 500.
  void Enqueue(CannedAnswer answer);

  std::vector<RecordedRequest> Requests() const;
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout) const;

  // Waits until `count` answers in total have reached a Stall step.
  bool WaitForStalls(int count, std::chrono::milliseconds timeout) const;
  // Ends every stall, now and later.
  void ReleaseStalls();

  // Waits until at least `succeeded` chunked answers were delivered whole
  // and at least `failed` were abandoned by their client.
  bool WaitForReleases(int succeeded, int failed, std::chrono::milliseconds timeout) const;
  int releases_succeeded() const;
  int releases_failed() const;

 private:
  void Handle(const httplib::Request& request, httplib::Response& response);
  // Runs the steps of one chunked answer; false aborts the connection.
  bool RunSteps(const std::vector<Step>& steps, httplib::DataSink& sink);

  void Start();

  const bool tls_;
  std::unique_ptr<httplib::Server> server_;  // an httplib::SSLServer for TLS
  int port_ = 0;

  mutable Mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<CannedAnswer> answers_ GUARDED_BY(mu_);
  std::vector<RecordedRequest> requests_ GUARDED_BY(mu_);
  int stalls_ GUARDED_BY(mu_) = 0;
  bool stalls_released_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  int releases_succeeded_ GUARDED_BY(mu_) = 0;
  int releases_failed_ GUARDED_BY(mu_) = 0;

  std::jthread listener_;  // last: runs listen_after_bind()
};

}  // namespace goose::testing

#endif  // GOOSE_CORE_PROVIDERS_TESTS_FAKE_OPENAI_SERVER_H_
