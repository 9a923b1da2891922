// MockProvider: a scripted goose::Provider that lives in the process.
//
// It plays a Script (script.h): the turn a request gets is chosen by its
// own conversation (how many assistant turns it already holds), and the
// reply is a ReplyStream whose Next() produces items lazily — no producer
// thread. Each scripted chunk is one StreamItem: a text delta, or (at the
// last argument fragment of a tool call) the whole tool request assembled
// from its fragments. Items of one scripted message share a message_id
// ("mock-<turn>-<message>"); the last item carries the usage. Scripted
// failures end the stream with the matching ProviderError:
//
//   http_429                -> kRateLimited (http_status 429, retry_after)
//   http_500                -> kServerError (http_status 500..599)
//   context_length_exceeded -> kContextLengthExceeded (http_status 400)
//   error_frame             -> kServerError, or kContextLengthExceeded for
//                              code "context_length_exceeded"
//   abrupt_close, no_done   -> kTransport
//   corrupt_frame           -> kBadResponse
//   duplicate_frame         -> no error; chunk k is delivered twice
//   stall                   -> nothing until Cancel() or destruction
//   script exhausted        -> kScriptExhausted
//
// Delays and stalls wait on a condition variable, so Cancel() from another
// thread wakes them at once. Every stream reports to stats() (see
// mock_stats.h): started on creation, then completed when Next() returns
// false at the end, failed when its scripted failure was delivered, or
// cancelled when Cancel()ed or destroyed before either.
//
// Thread safety: Stream() and Complete() may be called from many threads.
// REQUIRES: the provider outlives every stream it returned.

#ifndef GOOSE_MOCK_PROVIDER_MOCK_PROVIDER_H_
#define GOOSE_MOCK_PROVIDER_MOCK_PROVIDER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/model/provider.h"
#include "mock_provider/mock_stats.h"
#include "mock_provider/script.h"

namespace goose::mock {

struct MockProviderOptions {
  uint64_t seed = 1;  // used when the script has no "seed"
  std::string model;  // what model() reports; empty: the script's name
};

class MockProvider final : public Provider {
 public:
  explicit MockProvider(Script script, MockProviderOptions options = {});
  MockProvider(const MockProvider&) = delete;
  MockProvider& operator=(const MockProvider&) = delete;

  std::string name() const override { return "mock"; }
  std::string model() const override { return model_; }

  // Never null; a scripted pre-stream failure or an exhausted script
  // arrives as the stream's error() after the first Next().
  std::unique_ptr<ReplyStream> Stream(const ProviderRequest& request) override;

  // Plays the turn as a stream and joins it: the messages' texts joined by
  // "\n" into one text item, followed by every tool request.
  Result<Completion, ProviderError> Complete(const ProviderRequest& request) override;

  const Script& script() const { return *script_; }
  MockStatsRecorder& stats() { return stats_; }

 private:
  std::shared_ptr<const Script> script_;
  uint64_t seed_;
  std::string model_;
  MockStatsRecorder stats_;
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_MOCK_PROVIDER_H_
