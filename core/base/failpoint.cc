#include "core/base/failpoint.h"

#include <fcntl.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "core/base/strings.h"

namespace goose {

#if defined(GOOSE_FAILPOINTS)
namespace internal {
std::atomic<bool> failpoints[static_cast<int>(Failpoint::kCount)];
}  // namespace internal
#endif

namespace {

constexpr std::string_view kNames[] = {"partial_drain",
                                       "no_reap",
                                       "leak_child",
                                       "leak_fd",
                                       "leak_heap",
                                       "retain_heap",
                                       "leak_thread",
                                       "disk_full",
                                       "rewrite_sessions",
                                       "message_dom",
                                       "fork_spawn",
                                       "mcp_reader_hop",
                                       "copy_tool_lists",
                                       "lift_body_framing",
                                       "lift_request_deadline",
                                       "lift_connection_cap",
                                       "lift_head_limit",
                                       "lift_json_depth",
                                       "lift_reply_limits",
                                       "lift_provider_head",
                                       "lift_data_watchdog",
                                       "lift_token_saturation",
                                       "lift_mcp_line",
                                       "lift_request_framing",
                                       "lift_close_linger",
                                       "keep_freed_memory",
                                       "lift_sse_line",
                                       "raise_body_limit",
                                       "lift_answer_budget",
                                       "write_on_worker",
                                       "answer_dom",
                                       "request_dom",
                                       "raise_message_bytes",
                                       "raise_sse_line",
                                       "raise_mcp_line",
                                       "raise_head_bytes",
                                       "raise_provider_head",
                                       "raise_answer_buffer",
                                       "raise_connection_cap",
                                       "raise_json_depth",
                                       "raise_tool_calls",
                                       "raise_request_deadline",
                                       "sync_on_request_path",
                                       "lift_body_limit",
                                       "raise_keep_alive_requests",
                                       "raise_provider_idle_timeout",
                                       "lift_extension_timeout",
                                       "raise_extension_timeout",
                                       "keep_notifications"};
static_assert(std::size(kNames) == static_cast<size_t>(Failpoint::kCount));

#if defined(GOOSE_FAILPOINTS)
// What the faults keep. Reachable on purpose (retain_heap, leak_thread,
// leak_fd): those are the leaks sanitizers cannot see. The threads are
// jthreads waiting for a stop request, so they are joined at exit.
struct Retained {
  std::mutex mu;
  std::vector<std::unique_ptr<char[]>> bytes;
  std::vector<std::jthread> threads;
};
Retained& Kept() {
  static Retained* const kept = new Retained();  // lives until exit, like the bug
  return *kept;
}

std::atomic<size_t> retained_bytes{64};
#endif

}  // namespace

std::string_view FailpointName(Failpoint f) {
  const int i = static_cast<int>(f);
  return i >= 0 && i < static_cast<int>(Failpoint::kCount) ? kNames[i] : "unknown";
}

Status SetFailpoint(Failpoint f, bool on) {
#if defined(GOOSE_FAILPOINTS)
  internal::failpoints[static_cast<int>(f)].store(on);
  return Status::Ok();
#else
  (void)f;
  (void)on;
  return InvalidArgument("this build has no failpoints (configure with GOOSE_FAILPOINTS=ON)");
#endif
}

Status SetFailpoint(std::string_view name, bool on) {
  for (int i = 0; i < static_cast<int>(Failpoint::kCount); ++i) {
    if (kNames[i] == name) return SetFailpoint(static_cast<Failpoint>(i), on);
  }
  return InvalidArgument("unknown failpoint \"" + std::string(name) +
                         "\" (known: " + Join(kNames, ", ") + ")");
}

void ClearFailpoints() {
  for (int i = 0; i < static_cast<int>(Failpoint::kCount); ++i) {
    (void)SetFailpoint(static_cast<Failpoint>(i), false);
  }
}

Status EnableFailpointsFromEnv(const EnvLookup& env) {
  const char* list = env("GOOSE_API_FAILPOINTS");
  if (list == nullptr || *list == '\0') return Status::Ok();
  std::string_view rest(list);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    if (!name.empty()) {
      if (Status s = SetFailpoint(name, true); !s.ok())
        return Status(s.code(), "GOOSE_API_FAILPOINTS: " + s.message());
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return Status::Ok();
}

void SetRetainedBytesPerRequest(size_t bytes) {
#if defined(GOOSE_FAILPOINTS)
  retained_bytes.store(bytes == 0 ? 1 : bytes, std::memory_order_relaxed);
#else
  (void)bytes;
#endif
}

void InjectRequestFaults() {
#if defined(GOOSE_FAILPOINTS)
  if (FailpointOn(Failpoint::kLeakFd)) {
    (void)::open("/dev/null", O_RDONLY);  // never closed: the leak
  }
  if (FailpointOn(Failpoint::kLeakHeap)) {
    void* lost = std::malloc(64);
    std::memset(lost, 0xab, 64);
    // Keep the compiler from removing the allocation; then drop the only pointer.
    asm volatile("" : : "r"(lost) : "memory");
  }
  if (FailpointOn(Failpoint::kRetainHeap)) {
    std::lock_guard<std::mutex> lock(Kept().mu);
    const size_t n = retained_bytes.load(std::memory_order_relaxed);
    auto block = std::make_unique<char[]>(n);  // zeroed: the pages are touched
    Kept().bytes.push_back(std::move(block));
  }
  if (FailpointOn(Failpoint::kLeakThread)) {
    std::lock_guard<std::mutex> lock(Kept().mu);
    Kept().threads.emplace_back([](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock<std::mutex> l(m);
      cv.wait(l, stop, [] { return false; });
    });
  }
#endif
}

}  // namespace goose
