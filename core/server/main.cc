// goose-api: the server. See README.md ("Running the server") and
// `goose-api --help`.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <iostream>
#include <string>
#include <thread>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/base/memory_release.h"
#include "core/extensions/stdio_extension_catalog.h"
#include "core/providers/openai_provider.h"
#include "core/server/builtin_extensions.h"
#include "core/server/config.h"
#include "core/server/debug_heap.h"
#include "core/server/server_stack.h"

namespace goose {
namespace {

constexpr const char* kUsage =
    "usage: goose-api [--config FILE]\n"
    "\n"
    "A goose-api compatible agent server: goose's session routes and session files,\n"
    "with every reply stream drained, idle sessions reaped on time and no extension\n"
    "process outliving its session.\n"
    "\n"
    "Settings come from the environment, else from the config file (--config FILE or\n"
    "GOOSE_API_CONFIG; flat `KEY: value` lines as in goose's config.yaml):\n";

int Fail(const std::string& message) {
  std::cerr << "goose-api: " << message << "\n";
  return 2;
}

int Run(int argc, char** argv) {
  std::string config_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage << ConfigHelp();
      return 0;
    }
    if (arg == "--config" && i + 1 < argc) {
      config_file = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_file = arg.substr(9);
    } else {
      return Fail("unknown argument \"" + arg + "\"; see goose-api --help");
    }
  }

  // SIGINT/SIGTERM are taken by sigwait() below; block them before any
  // thread starts so every thread inherits the mask. SIGPIPE: a client
  // that hangs up is an error value, not a signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Result<ServerConfig> config = LoadServerConfig(ProcessEnv(), config_file);
  if (!config.ok()) return Fail(config.status().message());
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(config->log_level, &level);  // checked by LoadServerConfig
  SetLogLevel(level);
  SetJsonDepthLimit(config->json_depth);
  EnvLookup settings = [&c = *config](const char* key) { return c.Get(key); };
  if (Status s = EnableFailpointsFromEnv(settings); !s.ok()) return Fail(s.message());
  // Large blocks mmapped and arenas trimmed, before any thread starts
  // (memory_release.h); keep_freed_memory leaves glibc's own behaviour.
  if (!FailpointOn(Failpoint::kKeepFreedMemory)) ConfigureAllocatorForServer();

  Result<OpenAIConfig> provider_config = OpenAIConfigFromEnv(settings);
  if (!provider_config.ok()) return Fail(provider_config.status().message());
  provider_config->limits = config->stack.agent.limits;  // one setting, both enforce it
  OpenAIProvider provider(*provider_config);
  GOOSE_LOG(kInfo) << "provider: " << provider_config->Describe();

  ExtensionSetOptions extension_options;
  extension_options.stdio.max_line_bytes = config->mcp_line_bytes;
  extension_options.stdio.pass_environment = config->extension_env_pass;
  extension_options.policy = config->extension_policy;
  const std::string goose_cli =
      config->Get("GOOSE_API_GOOSE_CLI") ? config->Get("GOOSE_API_GOOSE_CLI") : "goose";
  extension_options.resolve_builtin = [goose_cli](const ExtensionConfig& builtin) {
    return ResolveBuiltinExtension(builtin, goose_cli);
  };
  StdioExtensionCatalog extensions(extension_options);
  ServerStack stack(&provider, &extensions, config->stack);
  if (Status s = stack.Start(); !s.ok()) return Fail(s.message());

  GOOSE_LOG(kInfo) << "sessions in " << stack.store().dir().string() << ", idle timeout "
                   << std::chrono::duration<double>(config->stack.registry.ttl).count()
                   << " s, fsync " << FsyncPolicyName(config->stack.fsync) << ", key "
                   << (config->stack.api_key.empty() ? "none (open on loopback)" : "required")
                   << ", extensions " << config->extension_policy.Describe();
  // Launchers (tests, leakcheck) wait for this line; with port 0 it is the
  // only way to learn the port.
  std::printf("goose-api listening on http://%s:%d\n", config->stack.http.host.c_str(),
              stack.port());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  GOOSE_LOG(kInfo) << "received " << strsignal(signal_number) << ", shutting down";

  // Cancel every wait on a peer (extension starts, provider streams, tool
  // calls), end every session (their extensions stop), then stop accepting
  // and wait for the requests in flight to answer; all within the bound.
  std::promise<void> stopped;
  std::future<void> done = stopped.get_future();
  std::jthread stopper([&] {
    stack.Shutdown();
    stopped.set_value();
  });
  if (done.wait_for(config->shutdown_timeout) != std::future_status::ready) {
    GOOSE_LOG(kError) << "shutdown did not finish within "
                      << std::chrono::duration<double>(config->shutdown_timeout).count()
                      << " s (GOOSE_API_SHUTDOWN_TIMEOUT_SECS; " << stack.service().pending()
                      << " request(s) still in flight); session files flushed, exiting now";
    (void)stack.store().Flush();
    std::fflush(nullptr);
    std::_Exit(1);  // the threads still waiting end with the process
  }
  GOOSE_LOG(kInfo) << "stopped";
  return 0;
}

}  // namespace
}  // namespace goose

int main(int argc, char** argv) {
  goose::ReexecWithHeapSampling(argv);   // heapprof builds: /debug/heap needs sampling on
  goose::ConfigureAllocatorForServer();  // large blocks mmapped, arenas trimmed
  return goose::Run(argc, argv);
}
