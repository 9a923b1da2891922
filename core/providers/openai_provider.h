// OpenAIProvider: the LLM behind an agent, reached over HTTP(S) at any
// OpenAI-compatible chat-completions endpoint (api.openai.com, a local
// server, mock-llm).
//
//   Result<OpenAIConfig> config = OpenAIConfigFromEnv(ProcessEnv());
//   OpenAIProvider provider(*config);
//   std::unique_ptr<ReplyStream> stream = provider.Stream(request);
//   DrainResult reply = Drain(*stream);
//
// Stream() builds the request body (openai_request_builder.h) on the
// calling thread and returns an OpenAIStream that runs the POST on its own
// thread (openai_stream.h). Complete() makes a non-streamed POST on the
// calling thread and parses choices[0].message (openai_completion_parser.h).
// Both retry 429 and 5xx answers as the config says.
//
// Complete() cannot be cancelled; it is bounded by the connect and idle
// timeouts, and the total timeout is checked as body bytes arrive (a server
// that stalls is caught by the idle timeout).
//
// Thread safety: Stream() and Complete() may be called from several
// threads at once; each call has its own client and connection. The
// provider holds no per-call state, so streams do not depend on it (they
// copy the config), though the Provider contract still asks that it
// outlive them.
//
// HTTPS: certificates are verified against the system's default CA store.
// As with any OpenSSL client, a process using HTTPS should ignore SIGPIPE.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_PROVIDER_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_PROVIDER_H_

#include <memory>
#include <string>

#include "core/model/provider.h"
#include "core/providers/openai_config.h"

namespace goose {

class OpenAIProvider final : public Provider {
 public:
  explicit OpenAIProvider(OpenAIConfig config);

  std::string name() const override { return "openai"; }
  std::string model() const override { return config_.model; }

  std::unique_ptr<ReplyStream> Stream(const ProviderRequest& request) override;
  Result<Completion, ProviderError> Complete(const ProviderRequest& request) override;

  const OpenAIConfig& config() const { return config_; }

 private:
  const OpenAIConfig config_;
};

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_PROVIDER_H_
