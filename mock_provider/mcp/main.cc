// mock-mcp: command line. See mock_mcp.h for the tools.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "mock_provider/mcp/mock_mcp.h"

namespace {

constexpr const char* kUsage =
    "usage: mock-mcp [flags]\n"
    "A stdio MCP server (JSON-RPC 2.0, one object per line) for testing extension\n"
    "lifecycles. Tools: echo {text}, sleep {ms}, spawn_grandchild {seconds,\n"
    "new_session, orphan}, open_files {n}, allocate {bytes}, crash {signal},\n"
    "hang {stop_serving}, fail {message}, getenv {name}, write_stderr {text, repeat},\n"
    "change_tools, stats.\n"
    "Flags:\n"
    "  --ignore-sigterm          ignore SIGTERM (stop must escalate to SIGKILL)\n"
    "  --linger                  keep running after stdin's EOF, until killed\n"
    "  --ignore-stdin-close      the same as --linger, named for what it breaks:\n"
    "                            MCP says a server should exit when stdin closes\n"
    "  --malformed               write a malformed line before every answer\n"
    "  --flood                   write 4 MiB of stdout garbage before every answer\n"
    "  --flood-bytes N           ... N bytes of it\n"
    "  --flood-on-first-read N   write N bytes of stdout garbage after the first\n"
    "                            read of stdin, before reading on\n"
    "  --page-size N             tools/list pages of N tools (nextCursor)\n"
    "  --chatty                  send a log notification, a roots/list and a ping\n"
    "                            request before every answer\n"
    "  --protocol-version V      answer initialize with version V\n"
    "  --stderr-bytes N          write N bytes of stderr lines at start\n"
    "  --exit-on-initialize CODE exit with CODE (after a stderr line) on initialize\n"
    "  --ignore-initialize       never answer initialize\n"
    "Leak switches (leakcheck's canaries): every tools/call but stats keeps one\n"
    "more, for good (stats counts them):\n"
    "  --leak-bytes-per-call N   N bytes of touched heap (freed at a clean exit)\n"
    "  --leak-fd-per-call        an open /dev/null\n"
    "  --leak-thread-per-call    a parked thread (joined at a clean exit)\n"
    "  --leak-child-per-call     a child `sleep 3600`, never killed: it outlives\n"
    "                            the mock\n"
    "  --help                    this text\n";

bool ParseSize(const char* text, size_t* out) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') return false;
  *out = static_cast<size_t>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  goose::mock::MockMcpOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    size_t n = 0;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--ignore-sigterm") {
      options.ignore_sigterm = true;
    } else if (arg == "--linger" || arg == "--ignore-stdin-close") {
      options.linger = true;
    } else if (arg == "--malformed") {
      options.malformed = true;
    } else if (arg == "--flood") {
      options.flood_bytes = 4 << 20;
    } else if (arg == "--flood-bytes" && has_value && ParseSize(argv[i + 1], &n)) {
      options.flood_bytes = n;
      ++i;
    } else if (arg == "--flood-on-first-read" && has_value && ParseSize(argv[i + 1], &n)) {
      options.flood_on_first_read = n;
      ++i;
    } else if (arg == "--page-size" && has_value && ParseSize(argv[i + 1], &n)) {
      options.page_size = static_cast<int>(n);
      ++i;
    } else if (arg == "--chatty") {
      options.chatty = true;
    } else if (arg == "--protocol-version" && has_value) {
      options.protocol_version = argv[++i];
    } else if (arg == "--stderr-bytes" && has_value && ParseSize(argv[i + 1], &n)) {
      options.stderr_bytes = n;
      ++i;
    } else if (arg == "--exit-on-initialize" && has_value && ParseSize(argv[i + 1], &n)) {
      options.exit_on_initialize = static_cast<int>(n);
      ++i;
    } else if (arg == "--ignore-initialize") {
      options.ignore_initialize = true;
    } else if (arg == "--leak-bytes-per-call" && has_value && ParseSize(argv[i + 1], &n)) {
      options.leak_bytes_per_call = n;
      ++i;
    } else if (arg == "--leak-fd-per-call") {
      options.leak_fd_per_call = true;
    } else if (arg == "--leak-thread-per-call") {
      options.leak_thread_per_call = true;
    } else if (arg == "--leak-child-per-call") {
      options.leak_child_per_call = true;
    } else {
      std::fprintf(stderr, "mock-mcp: unknown or incomplete flag %s\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  return goose::mock::RunMockMcp(options);
}
