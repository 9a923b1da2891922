// mock-llm: the scripted LLM server (see mock_llm_server.h and README.md).
//
// Prints exactly one line, "mock-llm listening on http://<host>:<port>", to
// stdout when it is ready; exits 0 on SIGINT or SIGTERM, 2 on bad arguments
// or a bad script file (the message names the file and the field), 1 when it
// cannot listen.

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock_provider/hostile_llm.h"
#include "mock_provider/mock_llm_server.h"
#include "mock_provider/script.h"

namespace {

constexpr char kUsage[] =
    "usage: mock-llm [--host HOST] [--port PORT] [--script FILE]... [--seed N]\n"
    "                [--journal-size N] [--threads N] [--help]\n"
    "\n"
    "A scripted LLM server speaking OpenAI chat completions (POST /v1/chat/completions,\n"
    "GET /v1/models) and Anthropic Messages (POST /v1/messages), for tests.\n"
    "\n"
    "  --host HOST         address to listen on (default 127.0.0.1)\n"
    "  --port PORT         port; 0 picks a free one (default 0)\n"
    "  --script FILE       a script file (JSON; repeatable). A request gets the script\n"
    "                      named by its x-mock-script header, else the one named like\n"
    "                      its model, else the built-in default (or a script named\n"
    "                      \"default\"). Format: mock_provider/README.md\n"
    "  --seed N            seed for scripts without their own (default 1)\n"
    "  --journal-size N    requests kept for GET /mock/requests (default 1000)\n"
    "  --threads N         connections served at once (default 64)\n"
    "  --hostile MODE      misbehave instead (hostile_llm.h): endless_text, huge_delta,\n"
    "                      nested_arguments, nested_content, many_tool_indexes,\n"
    "                      max_tokens, ping_only, endless_headers, no_newline\n"
    "  --hostile-size N    bytes, depth or count of the misbehaviour (default: the mode's)\n"
    "  --normal-replies N  with --hostile: answer the first N chat requests properly\n"
    "  --help              this text\n"
    "\n"
    "Prints \"mock-llm listening on http://HOST:PORT\" when ready. Test routes:\n"
    "GET /mock/requests, GET /mock/stats, POST /mock/reset. Exits 0 on SIGINT/SIGTERM,\n"
    "2 on bad arguments or script files, 1 when it cannot listen.\n";

int BadUsage(const std::string& message) {
  std::cerr << "mock-llm: " << message << "\n" << kUsage;
  return 2;
}

bool ParseUnsigned(std::string_view text, uint64_t* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

int main(int argc, char** argv) {
  goose::mock::MockLlmServerOptions options;
  std::vector<std::string> script_files;
  std::optional<goose::mock::HostileLlmOptions> hostile;
  auto hostile_options = [&]() -> goose::mock::HostileLlmOptions& {
    if (!hostile) hostile.emplace();
    return *hostile;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg.rfind("--", 0) != 0) return BadUsage("unexpected argument " + std::string(arg));
    if (i + 1 >= argc) return BadUsage(std::string(arg) + " needs a value (or is unknown)");
    const std::string_view value = argv[++i];
    uint64_t number = 0;
    const bool numeric = ParseUnsigned(value, &number);
    auto not_a_number = [&] {
      return BadUsage(std::string(arg) + " must be a non-negative integer, got \"" +
                      std::string(value) + "\"");
    };
    if (arg == "--host") {
      options.host = std::string(value);
    } else if (arg == "--script") {
      script_files.emplace_back(value);
    } else if (arg == "--port") {
      if (!numeric) return not_a_number();
      if (number > 65535) return BadUsage("--port must be at most 65535");
      options.port = static_cast<int>(number);
    } else if (arg == "--seed") {
      if (!numeric) return not_a_number();
      options.seed = number;
    } else if (arg == "--journal-size") {
      if (!numeric) return not_a_number();
      options.journal_size = number;
    } else if (arg == "--hostile") {
      goose::Result<goose::mock::HostileMode> mode = goose::mock::ParseHostileMode(value);
      if (!mode.ok()) return BadUsage(mode.status().message());
      hostile_options().mode = *mode;
    } else if (arg == "--hostile-size") {
      if (!numeric) return not_a_number();
      hostile_options().size = number;
    } else if (arg == "--normal-replies") {
      if (!numeric) return not_a_number();
      hostile_options().normal_replies = static_cast<int>(std::min<uint64_t>(number, 1 << 30));
    } else if (arg == "--threads") {
      if (!numeric) return not_a_number();
      if (number == 0) return BadUsage("--threads must be at least 1");
      options.worker_threads = number;
    } else {
      return BadUsage("unknown option " + std::string(arg));
    }
  }
  for (const std::string& file : script_files) {
    goose::Result<goose::mock::Script> script = goose::mock::LoadScriptFile(file);
    if (!script.ok()) {
      std::cerr << "mock-llm: " << script.status().message() << "\n";
      return 2;
    }
    options.scripts.push_back(std::move(script).value());
  }

  // Every thread (the server's included) inherits this mask, so the signals
  // are taken only by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a departed client is a failed write, not a signal

  if (hostile) {
    hostile->host = options.host;
    hostile->port = options.port;
    auto server = goose::mock::HostileLlm::Start(*hostile);
    if (!server.ok()) {
      std::cerr << "mock-llm: " << server.status().message() << "\n";
      return 1;
    }
    std::cout << "mock-llm listening on " << (*server)->base_url() << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    (*server)->Stop();
    return 0;
  }

  auto server = goose::mock::MockLlmServer::Start(std::move(options));
  if (!server.ok()) {
    std::cerr << "mock-llm: " << server.status().message() << "\n";
    return server.status().code() == goose::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::cout << "mock-llm listening on " << (*server)->base_url() << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*server)->Stop();
  return 0;
}
