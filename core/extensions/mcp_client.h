// McpClient: the client side of MCP (JSON-RPC 2.0) over a child's stdio.
//
// Messages are one JSON object per line (newline-delimited, no embedded
// newlines). The client owns its ChildProcess and one reader thread that
// reads stdout lines, matches responses to pending requests by id, and
//   - skips and counts a malformed line or one over max_line_bytes (logged,
//     rate limited; never fatal),
//   - ignores notifications (logs them at debug; notes
//     notifications/tools/list_changed for TakeToolsChanged()),
//   - answers a server->client request: "ping" with an empty result,
//     anything else with JSON-RPC error -32601 "method not found", so the
//     server never waits on us,
//   - notices the child's exit (through its pidfd, even while a grandchild
//     keeps stdout open) or EOF: every pending request and every later one
//     fails at once with "extension <name> exited (signal 9 (SIGKILL))".
// A request's own thread reads stdout while it waits, when no other thread
// is reading (it "leads"): the answer then reaches it without the reader
// thread's wake-up and hand-over, one hop fewer per tool call. It takes the
// lead before it writes the request, so that a child quick enough to answer
// before the writer runs again cannot hand the answer to the reader thread,
// and lets go of it if the child's stdin is full (the child may be waiting
// for its stdout to be read). It leaves EOF, the child's exit and a stop to
// the reader thread, which does everything above whenever no request leads.
// Each request waits at most `timeout`; a timed-out request gets
// notifications/cancelled and its late answer is dropped; later requests
// work as before. A message that cannot even be written within the timeout
// (the server stopped reading its stdin) leaves a line half-sent, so the
// client is then unusable (health() says so). Whoever reads a server
// request (the reader thread, or a request that leads) answers it; if a
// request of ours is stuck on a full stdin at that moment, the answer waits
// for it, bounded by the same timeout (by the leading request's own
// deadline when it is the one answering).
//
// The conversation: Initialize() sends initialize (offering
// kMcpLatestProtocolVersion, accepting any version in
// kMcpSupportedProtocolVersions), then notifications/initialized;
// ListTools() follows nextCursor through every page; CallTool() maps
// `isError` and JSON-RPC errors to a failed ToolResult.
//
// Thread safety: every method may be called from any thread, and requests
// from several threads at once. Stop() makes blocked requests return
// promptly (with Cancelled).

#ifndef GOOSE_CORE_EXTENSIONS_MCP_CLIENT_H_
#define GOOSE_CORE_EXTENSIONS_MCP_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/base/thread_annotations.h"
#include "core/extensions/child_process.h"
#include "core/extensions/line_splitter.h"
#include "core/extensions/mcp_line.h"
#include "core/extensions/wake_event.h"
#include "core/model/message.h"

namespace goose {

inline constexpr const char* kMcpLatestProtocolVersion = "2025-06-18";
inline constexpr const char* kMcpSupportedProtocolVersions[] = {"2024-11-05", "2025-03-26",
                                                                "2025-06-18"};

struct McpClientOptions {
  std::string name;  // the extension's name, for messages; empty: the child's name
  // Per request (and for Initialize()).
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};
  // A longer stdout line is reported and skipped. Bounds the reader's memory.
  size_t max_line_bytes = 4 * 1024 * 1024;
  // What the client calls itself in initialize.
  std::string client_name = "goose-api";
  std::string client_version = "1.0.0";
};

struct McpTool {
  std::string name;
  std::string description;
  Json input_schema = Json{{"type", "object"}, {"properties", Json::object()}};
};

struct McpServerInfo {
  std::string protocol_version;  // as negotiated
  Json server_info = Json::object();
  Json capabilities = Json::object();
  std::string instructions;
};

class McpClient {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes the child (REQUIRES: non-null, freshly spawned, nobody else reads
  // its stdout) and starts the reader.
  McpClient(std::unique_ptr<ChildProcess> child, McpClientOptions options);
  // Stops the child (its own stop_grace) and joins the reader.
  ~McpClient();
  McpClient(const McpClient&) = delete;
  McpClient& operator=(const McpClient&) = delete;

  // initialize + notifications/initialized. Errors: the server's answer is
  // an error or names an unsupported protocol version (Internal), timeout
  // (DeadlineExceeded), the child exited (Unavailable).
  Result<McpServerInfo> Initialize();

  // Every tool, through all pages.
  Result<std::vector<McpTool>> ListTools();

  // tools/call. Success: the result's content items. Failure: the tool's
  // own error (isError, with its text), a JSON-RPC error, a timeout or the
  // child's exit, each in words.
  ToolResult<std::vector<Json>> CallTool(const std::string& tool, const Json& arguments);

  // One JSON-RPC request: the "result" member of the answer. A JSON-RPC
  // error answer is an Internal error "<name> answered <method> with error
  // <code>: <message>".
  Result<Json> Request(const std::string& method, Json params);
  Result<Json> Request(const std::string& method, Json params, std::chrono::milliseconds timeout);

  // One notification (no answer).
  Status Notify(const std::string& method, Json params);

  // OK while usable; else why not (the child exited, the client was
  // stopped, stdin broke). Once not OK, stays so.
  Status health() const;

  // True (once) if the server announced a changed tool list since the last
  // call.
  bool TakeToolsChanged() { return tools_changed_.exchange(false); }

  // Requests sent (or being sent) and not yet answered.
  size_t pending_requests() const;

  // Lines skipped as malformed or over-long, since start.
  uint64_t skipped_lines() const { return skipped_lines_.load(); }
  // Server->client requests answered (ping or method-not-found).
  uint64_t answered_server_requests() const { return answered_server_requests_.load(); }
  // Most bytes the reader ever held for one unfinished line.
  size_t reader_high_water() const { return reader_high_water_.load(); }
  // Answers the reader thread handed to a waiting request (each costs a
  // wake-up more than an answer read by its own request; see above). With
  // one thread calling at a time, usually zero: only a request that could
  // not lead (its message filled stdin, or the reader was reading something
  // else at that moment) has its answer handed over.
  uint64_t answers_handed_over() const { return answers_handed_over_.load(); }

  // Stops the child, fails pending requests with Cancelled. RequestStop()
  // never blocks; AwaitStop() waits for the child (see ChildProcess).
  void RequestStop();
  ExitStatus AwaitStop(Clock::time_point deadline);
  ExitStatus Stop(std::chrono::milliseconds grace);

  const std::string& name() const { return name_; }
  ChildProcess& child() { return *child_; }

 private:
  struct Pending {
    bool done = false;
    Json response;  // the whole response object
    Status error;   // set instead when the request failed without an answer
  };

  // What ReadAvailable() stopped on.
  enum class ReadEnd { kDrained, kAnswered, kBurst, kEof };

  void ReadLoop(std::stop_token stop);
  // Reads what stdout holds now, up to `limit` bytes, and handles every
  // whole line; stops early once `answered` (when given) is done.
  ReadEnd ReadAvailable(size_t limit, const Pending* answered) REQUIRES(read_mu_);
  // Takes the lead (read_mu_) if no thread reads; true when it did.
  bool TryLead();
  // Gives the lead back and wakes the reader thread if it waits for that.
  void ReleaseLead();
  // Reads (leading, see above) until `pending` is done, `deadline`, or an
  // event the reader thread must handle, then gives the lead back. Without
  // the lead (`led` false) it tries once to take it, and returns at once if
  // another thread reads.
  void ReadAnswerHere(const Pending& pending, Clock::time_point deadline, bool led);
  void HandleLine(std::string_view line, size_t dropped);
  void HandleOverlongLine(std::string_view head);
  // Fails the request in flight with `id`, if there is one.
  void FailPending(int64_t id, Status error);
  void HandleMessage(McpLine line);
  // (By the holder of read_mu_, as everything a read line leads to.)
  void AnswerServerRequest(const Json& id, const std::string& method);
  // Marks the client unusable with `why` and fails every pending request.
  void Fail(Status why);
  // Writes one message. With `lead`, first tries to take the lead for the
  // answer (*lead says whether it holds it when Send returns).
  Status Send(const Json& message, Clock::time_point deadline, bool* lead = nullptr);
  std::string ExitText();

  const std::string name_;
  const McpClientOptions options_;
  std::unique_ptr<ChildProcess> child_;

  Mutex write_mu_;  // one message on stdin at a time

  mutable Mutex mu_;
  std::condition_variable_any cv_;
  std::map<int64_t, Pending*> pending_ GUARDED_BY(mu_);
  int64_t next_id_ GUARDED_BY(mu_) = 1;
  Status health_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool leading_ GUARDED_BY(mu_) = false;  // a request holds read_mu_ (ReadAnswerHere)

  std::atomic<bool> tools_changed_{false};
  std::atomic<uint64_t> skipped_lines_{0};
  std::atomic<uint64_t> answered_server_requests_{0};
  std::atomic<size_t> reader_high_water_{0};
  std::atomic<uint64_t> answers_handed_over_{0};

  // Whoever holds read_mu_ reads stdout: the reader thread, or a request
  // that leads. Lock order: read_mu_, then write_mu_ (answering a server
  // request) or mu_. The other way round read_mu_ is only tried (TryLead
  // under write_mu_ and mu_), never waited for.
  Mutex read_mu_;
  LineSplitter splitter_ GUARDED_BY(read_mu_);
  std::vector<char> read_buf_ GUARDED_BY(read_mu_);
  // How long the answer to a server request may take to write: a leading
  // request's deadline, else unbounded (the client's timeout applies). Only
  // the holder of read_mu_ touches it (not annotated: it is read below the
  // splitter's callbacks, where the analysis cannot follow the lock).
  Clock::time_point answer_deadline_ = Clock::time_point::max();
  // Notifications kept under the keep_notifications failpoint (else none);
  // touched by the holder of read_mu_ only, as answer_deadline_.
  std::vector<Json> kept_notifications_;
  WakeEvent reader_wake_;  // the reader thread's stop
  WakeEvent failed_wake_;  // signalled by Fail(): a leading request stops
  std::jthread reader_;    // last: joined before the members above go
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_MCP_CLIENT_H_
