// mock-mcp: a stdio MCP server whose tools make lifecycle bugs visible.
//
// It speaks MCP (JSON-RPC 2.0, one object per line) on stdin/stdout and
// offers these tools:
//   echo {text}                      -> the text
//   sleep {ms}                       -> answers after ms (other requests go on)
//   spawn_grandchild {seconds=300, new_session=false, orphan=false}
//                                    -> starts `sleep <seconds>` as a child;
//                                       new_session: setsid() first (leaves
//                                       the process group and session);
//                                       orphan: double fork, so it is
//                                       re-parented at once (only a subreaper
//                                       can catch it). Answers its pid.
//   open_files {n}                   -> holds n more fds (/dev/null) open
//   allocate {bytes}                 -> holds bytes more of touched memory
//   crash {signal=9}                 -> dies by that signal, at once
//   hang {stop_serving=false}        -> never answers; with stop_serving,
//                                       stops reading stdin altogether
//   fail {message}                   -> an isError result
//   getenv {name}                    -> the variable's value, or "(unset)"
//   write_stderr {text, repeat=1}    -> writes lines to stderr
//   change_tools {}                  -> adds tool "extra", sends
//                                       notifications/tools/list_changed
//   stats {}                         -> JSON text: pid, counters
// The leak switches (MockMcpOptions::leak_*) are leakcheck's canaries: each
// makes every tools/call but stats keep one more resource of its kind for
// good, reachable (so LeakSanitizer runs of the mock stay clean), while the
// answers stay as they were.
// and the hostile ones, for the gates that bound a server's memory:
//   big_result {bytes}               -> a text result of `bytes` bytes, one line
//   nested_result {depth}            -> a result with JSON `depth` arrays deep
//   endless_line {}                  -> a stdout line that never ends
//   notify {count}                   -> `count` notifications, then an answer
// Requests are served in order, except that sleep and hang do not hold up
// the ones after them. A single thread and poll(): sleeps are timers.

#ifndef GOOSE_MOCK_PROVIDER_MCP_MOCK_MCP_H_
#define GOOSE_MOCK_PROVIDER_MCP_MOCK_MCP_H_

#include <cstddef>
#include <string>

namespace goose::mock {

struct MockMcpOptions {
  bool ignore_sigterm = false;  // SIGTERM ignored: stop must escalate to SIGKILL
  bool linger = false;          // keep running after stdin's EOF, until killed
  bool malformed = false;       // a malformed line before every answer
  size_t flood_bytes = 0;       // this much stdout garbage before every answer
  // This much stdout garbage right after the first read of stdin, before
  // reading on: a server that writes while its client's message is still
  // coming (the client must read stdout while it writes stdin).
  size_t flood_on_first_read = 0;
  int page_size = 0;               // tools/list page size; 0: one page
  bool chatty = false;             // a log notification, a roots/list and a ping
                                   // request to the client before every answer
  std::string protocol_version;    // answer this version whatever is asked
  size_t stderr_bytes = 0;         // write this much to stderr at start
  int exit_on_initialize = -1;     // >= 0: exit with it when asked to initialize
  bool ignore_initialize = false;  // never answer initialize
  // Per tools/call (any tool but stats, which reads the counters): keep
  // this many more bytes of touched heap (freed only at a clean exit) ...
  size_t leak_bytes_per_call = 0;
  bool leak_fd_per_call = false;      // ... an open /dev/null, closed at exit
  bool leak_thread_per_call = false;  // ... a parked thread, joined at exit
  // ... a child `sleep 3600` (stdin and stdout on /dev/null), never killed:
  // left running when the mock exits, the orphan a client must catch.
  bool leak_child_per_call = false;
};

// Serves MCP on fds 0 and 1 until stdin's EOF (or forever with linger).
// Returns the exit code.
int RunMockMcp(const MockMcpOptions& options);

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_MCP_MOCK_MCP_H_
