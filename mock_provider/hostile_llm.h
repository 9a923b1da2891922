// HostileLlm: an OpenAI-compatible endpoint that misbehaves on purpose, for
// the gates that prove a server's memory stays bounded whatever its
// provider sends.
//
// It speaks raw HTTP on a loopback socket (the misbehaviours below cannot
// be written through an HTTP library), one thread per connection. The
// first `normal_replies` chat requests are answered properly (one short
// text message, streamed or not as asked), so that a session exists before
// the provider turns; every later one gets the mode's misbehaviour:
//
//   endless_text        a stream of text deltas (`size` bytes each) without end
//   huge_delta          one text delta of `size` bytes, then a normal end
//   nested_arguments    a tool call whose arguments nest `size` arrays deep
//   nested_content      a chunk whose JSON nests `size` arrays deep
//   many_tool_indexes   `size` tool-call fragments, each a new index
//   max_tokens          a normal reply whose usage counts are all INT64_MAX
//   ping_only           ": ping" keep-alive comments, every `interval`, no data
//   endless_headers     a response head whose header lines never end; with
//                       a `size`, header lines of `size` bytes (rounded up
//                       to whole 1 KB lines), then a short normal reply
//   no_newline          a "data:" line that never ends
//
// Endless modes stop when the client goes away or the server stops.
// Thread-safe; Stop() (or the destructor) closes every connection and joins.

#ifndef GOOSE_MOCK_PROVIDER_HOSTILE_LLM_H_
#define GOOSE_MOCK_PROVIDER_HOSTILE_LLM_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/base/status.h"
#include "core/base/unique_fd.h"

namespace goose::mock {

enum class HostileMode {
  kEndlessText,
  kHugeDelta,
  kNestedArguments,
  kNestedContent,
  kManyToolIndexes,
  kMaxTokens,
  kPingOnly,
  kEndlessHeaders,
  kNoNewline,
};

// "endless_text" and so on; InvalidArgument listing them for an unknown name.
Result<HostileMode> ParseHostileMode(std::string_view name);
std::string_view HostileModeName(HostileMode mode);

struct HostileLlmOptions {
  HostileMode mode = HostileMode::kEndlessText;
  // Bytes, depth or count, by mode; 0: the mode's default (100 KB deltas,
  // 256 MiB delta, 300,000 deep, 200,000 indexes).
  uint64_t size = 0;
  std::chrono::milliseconds interval{100};  // ping_only
  int normal_replies = 0;
  // Misbehaving answers before it turns normal again; 0: every one after
  // the normal ones misbehaves.
  int hostile_replies = 0;
  // An endless mode stops after this many bytes (0: never), so that a test
  // that lifts a limit on purpose (a canary) cannot grow without bound.
  uint64_t max_bytes = 0;
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port
};

class HostileLlm {
 public:
  static Result<std::unique_ptr<HostileLlm>> Start(HostileLlmOptions options);
  ~HostileLlm();
  HostileLlm(const HostileLlm&) = delete;
  HostileLlm& operator=(const HostileLlm&) = delete;

  int port() const { return port_; }
  std::string base_url() const;
  // Chat requests received, and how many of them got the misbehaviour.
  int64_t requests() const { return requests_.load(); }
  int64_t hostile_answers() const { return hostile_.load(); }
  // Bytes written to clients so far.
  int64_t bytes_sent() const { return bytes_sent_.load(); }

  void Stop();

 private:
  explicit HostileLlm(HostileLlmOptions options);
  void Accept(std::stop_token stop);
  void Serve(UniqueFd fd, std::stop_token stop);
  // Sends all of `bytes`; false when the client went away or we stop.
  bool Send(int fd, std::string_view bytes, const std::stop_token& stop);
  void Normal(int fd, bool stream, const std::stop_token& stop);
  void Hostile(int fd, const std::stop_token& stop);
  // A head with `size` bytes of header lines (whole 1 KB lines), then a
  // short normal stream.
  void HeadOfSize(int fd, uint64_t size, const std::stop_token& stop);
  // Whether an endless mode may send more after `sent` bytes.
  bool Within(uint64_t sent) const;

  const HostileLlmOptions options_;
  UniqueFd listener_;
  int port_ = 0;
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> hostile_{0};
  std::atomic<int64_t> bytes_sent_{0};
  std::mutex mu_;
  std::vector<std::jthread> connections_;  // joined on Stop
  std::jthread acceptor_;                  // last: stops first
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_HOSTILE_LLM_H_
