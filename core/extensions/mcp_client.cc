#include "core/extensions/mcp_client.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/base/strings.h"
#include "core/extensions/stderr_log.h"

namespace goose {
namespace {

// Bytes read from stdout per wake-up before poll() runs again, so the exit
// and stop fds are looked at even under a flood.
constexpr size_t kReadBurst = 1 << 20;
// Bytes of stdout still read after the child exited (answers written just
// before a crash), before the reader gives up on a stream kept open by a
// surviving grandchild.
constexpr size_t kDrainAfterExit = 4 << 20;
// How long EOF on stdout may precede the child's exit and still be reported
// with the exit status; and how long an exited child's stderr gets to
// reach EOF so its last lines make it into the message.
// Both end as soon as the event comes; the bounds only matter for a child
// that closed stdout but lives on, or whose grandchild holds stderr open.
constexpr auto kExitAfterEofWait = std::chrono::seconds(5);
constexpr auto kStderrAfterExitWait = std::chrono::seconds(2);
// Skipped lines are logged one by one up to this count, then every 1000th.
constexpr uint64_t kSkippedLinesLoggedInFull = 10;
// Pages of tools/list followed before the server is called broken.
constexpr int kMaxToolPages = 10000;
constexpr size_t kStderrInMessage = 512;

std::string Head(std::string_view text, size_t max) {
  return PrintableForLog(text.substr(0, max)) + (text.size() > max ? "..." : "");
}

// GOOSE_API_MAX_MCP_LINE_BYTES as it applies: taken as 4x its value under
// raise_mcp_line (the canary that proves a gate fails on a raised limit).
size_t LineLimit(const McpClientOptions& options) {
  const size_t limit = std::max<size_t>(1, options.max_line_bytes);
  return RaisedLimit(Failpoint::kRaiseMcpLine, limit);
}

// The options as the client applies them: an extension's timeout removed
// (a day: past any caller's own deadline) under lift_extension_timeout,
// taken 4x under raise_extension_timeout (their canaries,
// docs/reliability.md).
McpClientOptions EffectiveOptions(McpClientOptions options) {
  if (FailpointOn(Failpoint::kLiftExtensionTimeout)) options.timeout = std::chrono::hours(24);
  options.timeout = RaisedLimit(Failpoint::kRaiseExtensionTimeout, options.timeout);
  return options;
}

}  // namespace

McpClient::McpClient(std::unique_ptr<ChildProcess> child, McpClientOptions options)
    : name_(options.name.empty() ? child->name() : options.name),
      options_(EffectiveOptions(std::move(options))),
      child_(std::move(child)),
      splitter_(FailpointOn(Failpoint::kLiftMcpLine) ? SIZE_MAX : LineLimit(options_)),
      read_buf_(64 * 1024),
      reader_([this](std::stop_token stop) { ReadLoop(stop); }) {}

McpClient::~McpClient() {
  RequestStop();
  reader_.request_stop();
  if (reader_.joinable()) reader_.join();
  child_.reset();  // stops and reaps the child within its stop_grace
}

size_t McpClient::pending_requests() const {
  MutexLock lock(mu_);
  return pending_.size();
}

Status McpClient::health() const {
  MutexLock lock(mu_);
  return health_;
}

void McpClient::Fail(Status why) {
  MutexLock lock(mu_);
  if (health_.ok()) {
    health_ = std::move(why);
    if (!stopping_) GOOSE_LOG(kWarn) << health_.message();
  }
  failed_wake_.Signal();
  for (auto& [id, pending] : pending_) {
    pending->error = health_;
    pending->done = true;
  }
  pending_.clear();
  cv_.notify_all();
}

void McpClient::RequestStop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  Fail(Status(StatusCode::kCancelled, "extension " + name_ + " was stopped"));
  child_->RequestStop();
}

ExitStatus McpClient::AwaitStop(Clock::time_point deadline) {
  RequestStop();
  ExitStatus status = child_->AwaitStop(deadline);
  reader_.request_stop();
  return status;
}

ExitStatus McpClient::Stop(std::chrono::milliseconds grace) {
  return AwaitStop(Clock::now() + grace);
}

std::string McpClient::ExitText() {
  std::optional<ExitStatus> status = child_->TryReap();
  if (!status) return "extension " + name_ + " closed its stdout";
  std::string text = "extension " + name_ + " exited (" + status->ToString() + ")";
  child_->WaitStderrClosed(Clock::now() + kStderrAfterExitWait);
  std::string tail = child_->StderrShortTail(kStderrInMessage);
  if (!tail.empty()) text += "; stderr: " + tail;
  return text;
}

McpClient::ReadEnd McpClient::ReadAvailable(size_t limit, const Pending* answered) {
  const auto on_line = [this](std::string_view line, size_t dropped) { HandleLine(line, dropped); };
  const auto on_overflow = [this](std::string_view head) { HandleOverlongLine(head); };
  size_t total = 0;
  while (total < limit) {
    ssize_t n = ::read(child_->stdout_fd(), read_buf_.data(), read_buf_.size());
    if (n > 0) {
      total += static_cast<size_t>(n);
      splitter_.Feed(std::string_view(read_buf_.data(), static_cast<size_t>(n)), on_line,
                     on_overflow);
      reader_high_water_.store(splitter_.high_water());
      if (answered != nullptr) {
        MutexLock lock(mu_);
        if (answered->done) return ReadEnd::kAnswered;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return ReadEnd::kDrained;
    return ReadEnd::kEof;  // EOF or a read error: either way the stream is over
  }
  return ReadEnd::kBurst;
}

void McpClient::ReadLoop(std::stop_token stop) {
  std::stop_callback wake(stop, [this] { reader_wake_.Signal(); });
  const auto on_line = [this](std::string_view line, size_t dropped) { HandleLine(line, dropped); };
  // Reads what stdout has now, up to `limit` bytes; false at EOF. Waits
  // for a request that leads to stop (see the exit below).
  const auto read_available = [&](size_t limit) {
    MutexLock lock(read_mu_);
    if (ReadAvailable(limit, nullptr) != ReadEnd::kEof) return true;
    splitter_.Finish(on_line);
    return false;
  };
  // Takes the read lock and reads what stdout has now; false at EOF.
  // While a request leads, what woke us is its to read: taking the read
  // lock after it would make the next request find the lock held and wait
  // for a hand-over. Then it waits for the request to stop leading and
  // returns true without reading (the caller looks again).
  const auto read_unless_led = [&](size_t limit) NO_THREAD_SAFETY_ANALYSIS {
    {
      MutexLock lock(mu_);
      if (leading_ || !read_mu_.TryLock()) {  // leading_ and read_mu_ change together
        while (leading_) cv_.wait(mu_);
        return true;
      }
    }
    const bool open = ReadAvailable(limit, nullptr) != ReadEnd::kEof;
    if (!open) splitter_.Finish(on_line);
    read_mu_.Unlock();
    return open;
  };

  for (;;) {
    pollfd fds[3] = {{reader_wake_.fd(), POLLIN, 0},
                     {child_->exit_fd(), POLLIN, 0},
                     {child_->stdout_fd(), POLLIN, 0}};
    int ready = ::poll(fds, 3, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      Fail(Status(StatusCode::kInternal, "extension " + name_ + ": poll failed"));
      return;
    }
    if (fds[0].revents != 0) return;  // stopping; Fail() was called by RequestStop()
    bool stdout_open = true;
    if (fds[2].revents != 0 && fds[1].revents == 0) stdout_open = read_unless_led(kReadBurst);
    if (fds[1].revents != 0) {
      if (stdout_open) read_available(kDrainAfterExit);
      Fail(Status(StatusCode::kUnavailable, ExitText()));
      return;
    }
    if (!stdout_open) {
      // EOF usually comes just before the exit: wait a little for it, so
      // the message can say how the child ended.
      pollfd wait_fds[2] = {{reader_wake_.fd(), POLLIN, 0}, {child_->exit_fd(), POLLIN, 0}};
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(kExitAfterEofWait).count());
      while (::poll(wait_fds, 2, left) < 0 && errno == EINTR) {
      }
      if (wait_fds[0].revents != 0) return;
      Fail(Status(StatusCode::kUnavailable, ExitText()));
      return;
    }
  }
}

// read_mu_ is only ever tried, never waited for, while mu_ is held; taking
// and dropping it together with leading_ lets the reader thread tell a
// leading request from nobody reading.
bool McpClient::TryLead() NO_THREAD_SAFETY_ANALYSIS {  // read_mu_ held past the return
  if (FailpointOn(Failpoint::kMcpReaderHop)) return false;
  MutexLock lock(mu_);
  if (!read_mu_.TryLock()) return false;
  leading_ = true;
  return true;
}

void McpClient::ReleaseLead() NO_THREAD_SAFETY_ANALYSIS {  // read_mu_ taken by TryLead
  MutexLock lock(mu_);
  read_mu_.Unlock();
  leading_ = false;
  cv_.notify_all();  // the reader thread may wait for this (ReadLoop)
}

void McpClient::ReadAnswerHere(const Pending& pending, Clock::time_point deadline,
                               bool led) NO_THREAD_SAFETY_ANALYSIS {  // read_mu_ held when led
  if (!led && !TryLead()) return;  // the reader thread (or another request) reads
  // A server request read here is answered here: not past this deadline.
  answer_deadline_ = deadline;
  for (;;) {
    {
      MutexLock lock(mu_);
      if (pending.done) break;
    }
    pollfd fds[3] = {{failed_wake_.fd(), POLLIN, 0},
                     {child_->exit_fd(), POLLIN, 0},
                     {child_->stdout_fd(), POLLIN, 0}};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    int ready = ::poll(fds, 3, static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || fds[0].revents != 0 || fds[1].revents != 0) break;  // the reader's to handle
    if (fds[2].revents != 0 && ReadAvailable(kReadBurst, &pending) == ReadEnd::kEof) break;
  }
  answer_deadline_ = Clock::time_point::max();
  ReleaseLead();
}

void McpClient::HandleLine(std::string_view line, size_t dropped) {
  if (dropped > 0) {
    uint64_t n = ++skipped_lines_;
    if (n <= kSkippedLinesLoggedInFull || n % 1000 == 0) {
      GOOSE_LOG(kWarn) << "extension " << name_ << " wrote a line of " << line.size() + dropped
                       << " bytes on stdout, over the limit of " << LineLimit(options_)
                       << "; skipped (" << n << " lines skipped so far)";
    }
    return;
  }
  McpLine parsed = ParseMcpLine(line);
  if (parsed.kind == McpLine::Kind::kBlank) return;
  if (parsed.kind == McpLine::Kind::kMalformed) {
    uint64_t n = ++skipped_lines_;
    if (n <= kSkippedLinesLoggedInFull || n % 1000 == 0) {
      GOOSE_LOG(kWarn) << "extension " << name_ << " wrote a malformed line on stdout; skipped ("
                       << n << " lines skipped so far): " << Head(line, 200);
    }
    // A response that cannot be parsed (too deep, say) fails its request
    // now, with the reason, rather than at the request's timeout.
    if (const std::optional<int64_t> id = LeadingResponseId(line)) {
      FailPending(*id, Status(StatusCode::kInvalidArgument,
                              "extension " + name_ +
                                  " answered with a line that is not JSON-RPC: " + parsed.error));
    }
    return;
  }
  HandleMessage(std::move(parsed));
}

void McpClient::HandleOverlongLine(std::string_view head) {
  // The answer to a request in flight, when the line's start says so: that
  // request fails now, naming the limit, not at its timeout and not after
  // the rest of the line was read. (Other long lines are noise, skipped.)
  const std::optional<int64_t> id = LeadingResponseId(head);
  if (!id) return;
  FailPending(*id, Status(StatusCode::kLimitExceeded,
                          "extension " + name_ + " answered with a line longer than " +
                              "GOOSE_API_MAX_MCP_LINE_BYTES (" +
                              std::to_string(LineLimit(options_)) + ")"));
}

void McpClient::FailPending(int64_t id, Status error) {
  MutexLock lock(mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  it->second->error = std::move(error);
  it->second->done = true;
  pending_.erase(it);
  cv_.notify_all();
}

void McpClient::HandleMessage(McpLine line) {
  Json& message = line.message;
  switch (line.kind) {
    case McpLine::Kind::kServerRequest:
      AnswerServerRequest(message["id"], line.method);
      return;
    case McpLine::Kind::kNotification:
      if (line.method == "notifications/tools/list_changed") tools_changed_.store(true);
      // keep_notifications: kept for the client's life, as a client that
      // logged or queued them would (the notification flood's canary).
      if (FailpointOn(Failpoint::kKeepNotifications)) kept_notifications_.push_back(message);
      if (LogEnabled(LogLevel::kDebug)) {
        auto params = message.find("params");
        GOOSE_LOG(kDebug) << "extension " << name_ << " notification " << line.method << " "
                          << Head(params == message.end() ? std::string() : JsonDump(*params), 500);
      }
      return;
    case McpLine::Kind::kResponse:
      if (line.response_id.has_value()) {
        MutexLock lock(mu_);
        auto it = pending_.find(*line.response_id);
        if (it != pending_.end()) {
          // (reader_ was set before any request could be pending: mu_ orders it.)
          if (std::this_thread::get_id() == reader_.get_id()) ++answers_handed_over_;
          it->second->response = std::move(message);
          it->second->done = true;
          pending_.erase(it);
          cv_.notify_all();
          return;
        }
      }
      GOOSE_LOG(kDebug) << "extension " << name_ << " answered request "
                        << Head(JsonDump(message["id"]), 64)
                        << ", which is not pending (timed out?)";
      return;
    case McpLine::Kind::kBlank:
    case McpLine::Kind::kMalformed:
    case McpLine::Kind::kNotJsonRpc:
      break;
  }
  uint64_t n = ++skipped_lines_;
  if (n <= kSkippedLinesLoggedInFull || n % 1000 == 0) {
    GOOSE_LOG(kWarn) << "extension " << name_
                     << " wrote a JSON line that is not JSON-RPC; skipped: "
                     << Head(JsonDump(message), 200);
  }
}

void McpClient::AnswerServerRequest(const Json& id, const std::string& method) {
  Json answer = {{"jsonrpc", "2.0"}, {"id", id}};
  if (method == "ping") {
    answer["result"] = Json::object();
  } else {
    GOOSE_LOG(kDebug) << "extension " << name_ << " asked for " << method
                      << ", which this client does not offer";
    answer["error"] = {{"code", -32601}, {"message", "Method not found: " + method}};
  }
  const Clock::time_point deadline = std::min(Clock::now() + options_.timeout, answer_deadline_);
  if (Send(answer, deadline).ok()) ++answered_server_requests_;
}

Status McpClient::Send(const Json& message, Clock::time_point deadline, bool* lead) {
  std::string line = JsonDump(message);
  line += '\n';
  Status sent;
  {
    MutexLock lock(write_mu_);
    // Taken under write_mu_ (never waited for there), before the child can
    // have the message; given back if the child is not reading its stdin.
    if (lead != nullptr) *lead = TryLead();
    sent = child_->WriteStdin(line, deadline, [&] {
      if (lead != nullptr && *lead) {
        ReleaseLead();
        *lead = false;
      }
    });
  }
  if (sent.code() == StatusCode::kDeadlineExceeded) {
    // Part of a line may be in the pipe: nothing after it can be parsed.
    Fail(Status(
        StatusCode::kUnavailable,
        "extension " + name_ + " stopped reading its stdin (a message timed out half-sent)"));
  }
  return sent;
}

Status McpClient::Notify(const std::string& method, Json params) {
  {
    MutexLock lock(mu_);
    if (!health_.ok()) return health_;
  }
  Json message = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  return Send(message, Clock::now() + options_.timeout);
}

Result<Json> McpClient::Request(const std::string& method, Json params) {
  return Request(method, std::move(params), options_.timeout);
}

Result<Json> McpClient::Request(const std::string& method, Json params,
                                std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  Pending pending;
  int64_t id;
  {
    MutexLock lock(mu_);
    if (!health_.ok()) return health_;
    id = next_id_++;
    pending_[id] = &pending;
  }
  Json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  bool led = false;
  Status sent = Send(message, deadline, &led);
  if (!sent.ok() && led) ReleaseLead();

  bool timed_out = false;
  {
    MutexLock lock(mu_);
    if (!sent.ok()) {
      pending_.erase(id);
      if (sent.code() == StatusCode::kUnavailable) {
        // The child closed stdin: it is exiting. The reader is about to say
        // how it ended, which beats "closed its stdin".
        const auto bound = std::min(deadline, Clock::now() + kExitAfterEofWait);
        while (health_.ok() && cv_.wait_until(mu_, bound) != std::cv_status::timeout) {
        }
      }
      if (!health_.ok()) return health_;
      return sent;
    }
  }
  ReadAnswerHere(pending, deadline, led);
  {
    MutexLock lock(mu_);
    while (!pending.done) {
      if (cv_.wait_until(mu_, deadline) == std::cv_status::timeout && !pending.done) {
        pending_.erase(id);
        timed_out = true;
        break;
      }
    }
  }
  if (timed_out) {
    // Tell the server to give up on it; its late answer will be dropped.
    (void)Notify("notifications/cancelled", {{"requestId", id}, {"reason", "timed out"}});
    return Status(StatusCode::kDeadlineExceeded, "extension " + name_ + " did not answer " +
                                                     method + " within " +
                                                     std::to_string(timeout.count()) + " ms");
  }
  if (!pending.error.ok()) return pending.error;
  const Json& response = pending.response;
  if (auto error = response.find("error"); error != response.end()) {
    std::string code = "?";
    std::string text;
    if (error->is_object()) {
      if (auto c = error->find("code"); c != error->end()) code = JsonDump(*c);
      if (auto m = error->find("message"); m != error->end() && m->is_string()) text = *m;
    }
    return Status(StatusCode::kInternal, "extension " + name_ + " answered " + method +
                                             " with error " + code + ": " + text);
  }
  auto result = response.find("result");
  if (result == response.end()) {
    return Internal("extension " + name_ + " answered " + method +
                    " with neither result nor error");
  }
  return *result;
}

Result<McpServerInfo> McpClient::Initialize() {
  Json params = {
      {"protocolVersion", kMcpLatestProtocolVersion},
      {"capabilities", Json::object()},
      {"clientInfo", {{"name", options_.client_name}, {"version", options_.client_version}}}};
  Result<Json> answer = Request("initialize", std::move(params));
  if (!answer.ok()) return answer.status();
  const Json& result = *answer;
  McpServerInfo info;
  auto version = result.find("protocolVersion");
  if (!result.is_object() || version == result.end() || !version->is_string()) {
    return Internal("extension " + name_ + " answered initialize without a protocolVersion");
  }
  info.protocol_version = version->get<std::string>();
  const auto& supported = kMcpSupportedProtocolVersions;
  if (std::find(std::begin(supported), std::end(supported), info.protocol_version) ==
      std::end(supported)) {
    return Internal("extension " + name_ + " speaks MCP protocol version " + info.protocol_version +
                    "; this client speaks " + Join(supported, ", "));
  }
  if (auto s = result.find("serverInfo"); s != result.end() && s->is_object())
    info.server_info = *s;
  if (auto c = result.find("capabilities"); c != result.end() && c->is_object())
    info.capabilities = *c;
  if (auto i = result.find("instructions"); i != result.end() && i->is_string())
    info.instructions = i->get<std::string>();
  Status notified = Notify("notifications/initialized", Json());
  if (!notified.ok()) return notified;
  return info;
}

Result<std::vector<McpTool>> McpClient::ListTools() {
  std::vector<McpTool> tools;
  std::set<std::string> cursors_seen;
  std::optional<std::string> cursor;
  for (int page = 0;; ++page) {
    if (page >= kMaxToolPages) {
      return Internal("extension " + name_ + " kept paginating tools/list past " +
                      std::to_string(kMaxToolPages) + " pages");
    }
    Json params = Json::object();
    if (cursor) params["cursor"] = *cursor;
    Result<Json> answer = Request("tools/list", std::move(params));
    if (!answer.ok()) return answer.status();
    const Json& result = *answer;
    auto list = result.is_object() ? result.find("tools") : result.end();
    if (!result.is_object() || list == result.end() || !list->is_array()) {
      return Internal("extension " + name_ + " answered tools/list without a tools array");
    }
    for (const Json& item : *list) {
      auto name = item.is_object() ? item.find("name") : item.end();
      if (!item.is_object() || name == item.end() || !name->is_string()) {
        GOOSE_LOG(kWarn) << "extension " << name_ << " listed a tool without a name; ignored";
        continue;
      }
      McpTool tool;
      tool.name = name->get<std::string>();
      if (auto d = item.find("description"); d != item.end() && d->is_string())
        tool.description = d->get<std::string>();
      if (auto s = item.find("inputSchema"); s != item.end() && s->is_object())
        tool.input_schema = *s;
      tools.push_back(std::move(tool));
    }
    auto next = result.find("nextCursor");
    if (next == result.end() || next->is_null()) break;
    if (!next->is_string()) {
      return Internal("extension " + name_ + " answered tools/list with a non-string nextCursor");
    }
    if (!cursors_seen.insert(next->get<std::string>()).second) {
      return Internal("extension " + name_ + " repeated tools/list cursor " +
                      Head(next->get<std::string>(), 64));
    }
    cursor = next->get<std::string>();
  }
  return tools;
}

ToolResult<std::vector<Json>> McpClient::CallTool(const std::string& tool, const Json& arguments) {
  Json params = {{"name", tool}, {"arguments", arguments.is_null() ? Json::object() : arguments}};
  Result<Json> answer = Request("tools/call", std::move(params));
  if (!answer.ok()) return ToolResult<std::vector<Json>>::Failure(answer.status().message());
  const Json& result = *answer;
  std::vector<Json> content;
  if (result.is_object()) {
    if (auto c = result.find("content"); c != result.end() && c->is_array()) {
      content.assign(c->begin(), c->end());
    }
  }
  bool is_error = false;
  if (result.is_object()) {
    if (auto e = result.find("isError"); e != result.end() && e->is_boolean()) is_error = *e;
  }
  if (is_error) {
    std::string text = McpContentText(content);
    if (text.empty()) text = "tool " + tool + " of extension " + name_ + " failed";
    return ToolResult<std::vector<Json>>::Failure(std::move(text));
  }
  return ToolResult<std::vector<Json>>::Success(std::move(content));
}

}  // namespace goose
