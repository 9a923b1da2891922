// Failpoints: named faults that re-create each known leak, for the canary
// tests that prove every leak gate can fail.
//
// Compiled in only when the build sets GOOSE_FAILPOINTS (the test presets
// do; `release` does not): there, FailpointOn() is a constant false and the
// faults vanish from the binary.
//
// A test switches faults with SetFailpoint(); a server started from outside
// reads GOOSE_API_FAILPOINTS ("partial_drain,leak_fd").
//
//   partial_drain  a reply reads the agent's first message and keeps the
//                  stream (goose-api's bug)
//   no_reap        the reaper ends nothing
//   leak_child     stopping an extension signals only its direct child,
//                  not its process group or tree
//   leak_fd        every request opens a file descriptor and keeps it
//   leak_heap      every request allocates bytes and loses the pointer
//   retain_heap    every request keeps bytes in a container that grows
//   leak_thread    every request starts a thread that is joined only at exit
//   disk_full      every session file write fails with ENOSPC (the disk is
//                  full), after its temp file was created
//   rewrite_sessions  every session save rewrites the whole file (temp file
//                  and rename) instead of appending the new messages: the
//                  cost a reply had before appends, for the benchmark gate
//   message_dom    every session file line is built as a nlohmann DOM and
//                  dumped (MessageToJson) instead of written straight from
//                  the model: the cost before the direct writer
//   fork_spawn     every child process is forked (the server's page tables
//                  copied) instead of vforked
//   mcp_reader_hop every MCP answer reaches its request through the
//                  client's reader thread, never read by the request's own
//                  thread
//   copy_tool_lists  every reply builds its tool list again and every turn
//                  copies it into the provider request (before lists were
//                  shared)
//
// The lift_* faults each take one limit away, so that the hostile gate that
// proves the limit can be shown to fail without it (docs/reliability.md):
//   lift_body_framing      chunked, compressed and length-less bodies are read
//   lift_request_deadline  a request has a timeout per read, not a whole one
//   lift_connection_cap    open connections are not capped
//   lift_head_limit        request heads are not bounded
//   lift_json_depth        JSON is parsed to any depth
//   lift_reply_limits      replies, messages and tool calls are not bounded
//   lift_provider_head     a provider answer's head is not bounded
//   lift_data_watchdog     keep-alive comments keep a provider stream alive
//   lift_token_saturation  token counts add without saturating
//   lift_mcp_line          an extension's lines are not bounded
//   lift_sse_line          a provider's SSE lines are not bounded (its events
//                          still are)
//   lift_body_limit        GOOSE_API_MAX_BODY_BYTES is not enforced
//   lift_extension_timeout an extension's requests (initialize, calls) wait
//                          without a timeout
//   keep_notifications     an extension's notifications are kept for the
//                          client's life instead of dropped
//
// The raise_* faults loosen a limit 4x instead of removing it: the
// regression people make (a default raised), which a gate must catch too.
//   raise_body_limit       GOOSE_API_MAX_BODY_BYTES taken as 4x its value
//   raise_message_bytes    GOOSE_API_MAX_MESSAGE_BYTES taken as 4x its value
//                          (EffectiveLimits, core/model/reply_stream.h)
//   raise_sse_line         a provider's SSE line limit (1 MiB) taken as 4x
//   raise_mcp_line         GOOSE_API_MAX_MCP_LINE_BYTES taken as 4x its value
//   raise_head_bytes       GOOSE_API_MAX_HEADER_BYTES taken as 4x its value
//   raise_provider_head    a provider answer's head limit (64 KiB) taken as 4x
//   raise_answer_buffer    GOOSE_API_MAX_ANSWER_BUFFER_BYTES taken as 4x its value
//   raise_connection_cap   GOOSE_API_MAX_CONNECTIONS taken as 4x its value
//   raise_json_depth       GOOSE_API_MAX_JSON_DEPTH taken as 4x its value
//   raise_request_deadline GOOSE_API_READ_TIMEOUT_SECS taken as 4x its value
//   raise_tool_calls       GOOSE_API_MAX_TOOL_CALLS taken as 4x its value
//                          (EffectiveLimits, core/model/reply_stream.h)
//   raise_keep_alive_requests  the requests a connection may make
//                          (keep_alive_max_requests, 1000) taken as 4x
//   raise_provider_idle_timeout  GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS taken as
//                          4x its value
//   raise_extension_timeout  an extension's timeout taken as 4x its value
//
// More lifted limits:
//   lift_request_framing   request heads are not checked against RFC 9112's
//                          framing rules (http_framing.h)
//   keep_freed_memory      freed memory is not given back: no FreedMemory
//                          release, and goose-api leaves glibc's thresholds
//                          dynamic (glibc and tcmalloc keep it resident, as
//                          before memory_release.h)
//   lift_close_linger      a connection closed after its last allowed request
//                          is closed at once, unread requests and all (a reset
//                          that can lose the answers in flight)
//   lift_answer_budget     large answers are built whatever the bytes already
//                          buffered for clients (GOOSE_API_MAX_ANSWER_BUFFER_BYTES)
//   write_on_worker        an answer is written by the worker that made it,
//                          which waits for a slow reader (cpp-httplib's way)
//   answer_dom             /session/get builds the whole conversation as a
//                          JSON document, then its text, before sending it
//   request_dom            a provider request is built as a JSON document,
//                          dumped to one string and copied to send it
//   sync_on_request_path   every session write is made durable (the batch
//                          policy's syncfs round) before its answer, as if
//                          GOOSE_API_FSYNC's default were synchronous: the
//                          benchmark gate's latency canary

#ifndef GOOSE_CORE_BASE_FAILPOINT_H_
#define GOOSE_CORE_BASE_FAILPOINT_H_

#include <atomic>
#include <cstddef>
#include <string_view>

#include "core/base/env.h"
#include "core/base/status.h"

namespace goose {

enum class Failpoint : int {
  kPartialDrain = 0,
  kNoReap,
  kLeakChild,
  kLeakFd,
  kLeakHeap,
  kRetainHeap,
  kLeakThread,
  kDiskFull,
  kRewriteSessions,
  kMessageDom,
  kForkSpawn,
  kMcpReaderHop,
  kCopyToolLists,
  kLiftBodyFraming,
  kLiftRequestDeadline,
  kLiftConnectionCap,
  kLiftHeadLimit,
  kLiftJsonDepth,
  kLiftReplyLimits,
  kLiftProviderHead,
  kLiftDataWatchdog,
  kLiftTokenSaturation,
  kLiftMcpLine,
  kLiftRequestFraming,
  kLiftCloseLinger,
  kKeepFreedMemory,
  kLiftSseLine,
  kRaiseBodyLimit,
  kLiftAnswerBudget,
  kWriteOnWorker,
  kAnswerDom,
  kRequestDom,
  kRaiseMessageBytes,
  kRaiseSseLine,
  kRaiseMcpLine,
  kRaiseHeadBytes,
  kRaiseProviderHead,
  kRaiseAnswerBuffer,
  kRaiseConnectionCap,
  kRaiseJsonDepth,
  kRaiseToolCalls,
  kRaiseRequestDeadline,
  kSyncOnRequestPath,
  kLiftBodyLimit,
  kRaiseKeepAliveRequests,
  kRaiseProviderIdleTimeout,
  kLiftExtensionTimeout,
  kRaiseExtensionTimeout,
  kKeepNotifications,
  kCount,
};

std::string_view FailpointName(Failpoint f);

#if defined(GOOSE_FAILPOINTS)
inline constexpr bool kFailpointsCompiled = true;
namespace internal {
extern std::atomic<bool> failpoints[static_cast<int>(Failpoint::kCount)];
}  // namespace internal
inline bool FailpointOn(Failpoint f) {
  return internal::failpoints[static_cast<int>(f)].load(std::memory_order_relaxed);
}
#else
inline constexpr bool kFailpointsCompiled = false;
constexpr bool FailpointOn(Failpoint) { return false; }
#endif

// `limit`, taken 4x while the raise_* fault `f` is on: the one way every
// raise_* failpoint loosens its limit, where that limit is read.
template <typename T>
T RaisedLimit(Failpoint f, T limit) {
  return FailpointOn(f) ? 4 * limit : limit;
}

// Switches a fault. FailedPrecondition-style error (InvalidArgument) when
// the build has no failpoints.
Status SetFailpoint(Failpoint f, bool on);
Status SetFailpoint(std::string_view name, bool on);
void ClearFailpoints();

// Reads GOOSE_API_FAILPOINTS (comma-separated names). Unknown names and a
// build without failpoints are errors.
Status EnableFailpointsFromEnv(const EnvLookup& env);

// How many bytes retain_heap keeps per request: 64 unless a sensitivity
// test asks for another size (one heap block of that size, plus its
// pointer in the keeper's vector).
void SetRetainedBytesPerRequest(size_t bytes);

// The faults' own effects, called where each bug would live.
void InjectRequestFaults();  // leak_fd, leak_heap, retain_heap, leak_thread

}  // namespace goose

#endif  // GOOSE_CORE_BASE_FAILPOINT_H_
