#include "core/server/api_routes.h"

#include <ctime>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/base/process_stats.h"
#include "core/base/resource_ledger.h"
#include "core/base/utc_time.h"
#include "core/model/message_writer.h"
#include "core/model/session_store.h"
#include "core/server/api_key.h"
#include "core/server/debug_heap.h"

namespace goose {
namespace {

// `message` with every path in `dir` replaced by what it names for a
// client: "<dir>/<id>.jsonl" is "session <id>", another file there "a file
// in the sessions directory", `dir` itself "the sessions directory".
std::string WithoutPaths(std::string message, const std::string& dir) {
  if (dir.empty()) return message;
  for (size_t at = message.find(dir); at != std::string::npos; at = message.find(dir, at)) {
    size_t end = at + dir.size();
    std::string name;
    if (end < message.size() && message[end] == '/') {
      size_t token_end = message.find_first_of(" :,;)'\"", end);
      if (token_end == std::string::npos) token_end = message.size();
      const std::string file = message.substr(end + 1, token_end - end - 1);
      const std::string suffix = ".jsonl";
      const bool session_file =
          file.size() > suffix.size() && file[0] != '.' &&
          file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
      name = session_file ? "session " + file.substr(0, file.size() - suffix.size())
                          : "a file in the sessions directory";
      end = token_end;
    } else {
      name = "the sessions directory";
    }
    message.replace(at, end - at, name);
    at += name.size();
  }
  return message;
}

}  // namespace

// Answers name session ids, never the server's paths: the whole message
// goes to the log.
ApiResponse ApiRoutes::FromStatus(const Status& s) const {
  const std::string dir = context_.service->sessions_dir().string();
  std::string message = WithoutPaths(s.message(), dir);
  if (message != s.message()) GOOSE_LOG(kWarn) << s.message();
  return ErrorResponse(HttpStatusFor(s.code()), std::move(message));
}

namespace {

ApiResponse Ok(Json body) { return ApiResponse{200, std::move(body), {}, {}}; }

// An error of the extension routes: every error's {"message", "status":
// "error"}, and goose-api's own "error": true beside them, which its
// clients read.
ApiResponse ExtensionError(ApiResponse error) {
  error.body["error"] = true;
  return error;
}

// Reads a required non-empty string field of a JSON object body.
Result<std::string> StringField(const Json& body, const char* field) {
  JsonObjectReader r(body, "");
  std::string v = r.String(field);
  if (!r.ok()) return r.status();
  if (v.empty()) return InvalidArgument(std::string(field) + " must not be empty");
  return v;
}

Json ReplyBody(const ReplyOutcome& o) {
  Json body = {{"message", o.text}, {"status", o.summarized ? "warning" : "success"}};
  if (o.summarized) {
    body["warning"] =
        "The conversation exceeded the model's context window and was summarized; earlier "
        "messages were replaced by the summary.";
  }
  if (o.hit_max_turns) body["truncated"] = true;
  return body;
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kResourceExhausted:
      return 503;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kStorageFull:
      return 507;  // Insufficient Storage
    case StatusCode::kLimitExceeded:
      return 502;  // Bad Gateway: a peer sent more than a limit allows
    case StatusCode::kCancelled:
      return 503;
    case StatusCode::kDataLoss:
    case StatusCode::kIoError:
    case StatusCode::kContextLengthExceeded:
    case StatusCode::kProviderFailed:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

ApiResponse ErrorResponse(int status, const std::string& message) {
  return ApiResponse{status, Json{{"message", message}, {"status", "error"}}, {}, {}};
}

ApiRoutes::ApiRoutes(ApiContext context) : context_(std::move(context)) {}

bool ApiRoutes::Authorized(const std::optional<std::string>& api_key) const {
  if (context_.api_key.empty()) return true;  // open on loopback, by explicit choice
  return api_key.has_value() && ApiKeyMatches(*api_key, context_.api_key);
}

// Every route, once: method, path, who may call it, whether its body is
// JSON, and what answers it.
struct ApiRoutes::Route {
  enum class Access { kKey, kOptionalKey };
  const char* method;
  const char* path;
  Access access;
  bool json_body;
  ApiResponse (*answer)(const ApiRoutes& routes, const Json& body, bool key_holder);
};

const ApiRoutes::Route* ApiRoutes::FindRoute(const std::string& method, const std::string& path,
                                             bool* path_known) {
  using Access = Route::Access;
  static constexpr Route kRoutes[] = {
    {"POST", "/session/start", Access::kKey, true,
     [](const ApiRoutes& r, const Json& body, bool) { return r.Start(body); }},
    {"POST", "/session/reply", Access::kKey, true,
     [](const ApiRoutes& r, const Json& body, bool) { return r.Reply(body); }},
    {"POST", "/session/summarize", Access::kKey, true,
     [](const ApiRoutes& r, const Json& body, bool) { return r.Summarize(body); }},
    {"POST", "/session/end", Access::kKey, true,
     [](const ApiRoutes& r, const Json& body, bool) { return r.End(body); }},
    {"POST", "/session/get", Access::kKey, true,
     [](const ApiRoutes& r, const Json& body, bool) { return r.Get(body); }},
    {"GET", "/sessions/list", Access::kKey, false,
     [](const ApiRoutes& r, const Json&, bool) { return r.List(); }},
    {"GET", "/extensions/list", Access::kKey, false,
     [](const ApiRoutes& r, const Json&, bool) { return r.ExtensionsList(); }},
    {"POST", "/extensions/add", Access::kKey, true,
     [](const ApiRoutes& r, const Json& body, bool) { return r.ExtensionsAdd(body); }},
    {"POST", "/extensions/remove", Access::kKey, true,
     [](const ApiRoutes& r, const Json& body, bool) { return r.ExtensionsRemove(body); }},
    {"GET", "/provider/config", Access::kKey, false,
     [](const ApiRoutes& r, const Json&, bool) { return r.ProviderConfig(); }},
    {"GET", "/metrics", Access::kOptionalKey, false,
     [](const ApiRoutes& r, const Json&, bool key_holder) { return r.Metrics(key_holder); }},
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
    {"GET", "/debug/heap", Access::kKey, false,  // debug_heap.h
     [](const ApiRoutes& r, const Json&, bool) { return r.DebugHeap(); }},
#endif
  };

  const Route* route = nullptr;
  *path_known = false;
  for (const Route& r : kRoutes) {
    if (path != r.path) continue;
    *path_known = true;
    if (method == r.method) route = &r;
  }
  return route;
}

std::optional<ApiResponse> ApiRoutes::Admit(const std::string& method, const std::string& path,
                                            const std::optional<std::string>& api_key) const {
  bool path_known = false;
  const Route* route = FindRoute(method, path, &path_known);
  if (route == nullptr) {
    if (path_known) return ErrorResponse(405, "method " + method + " is not allowed on " + path);
    return ErrorResponse(404, "no route " + method + " " + path);
  }
  if (route->access == Route::Access::kKey && !Authorized(api_key)) {
    return ErrorResponse(
        401, api_key ? "the x-api-key header does not match" : "missing x-api-key header");
  }
  return std::nullopt;
}

ApiResponse ApiRoutes::Handle(const ApiRequest& request) const {
  if (std::optional<ApiResponse> refused = Admit(request.method, request.path, request.api_key)) {
    return *std::move(refused);
  }
  bool path_known = false;
  const Route* route = FindRoute(request.method, request.path, &path_known);
  Json body;
  if (route->json_body) {
    Result<Json> parsed = JsonParse(request.body, "the request body");
    if (!parsed.ok()) return FromStatus(parsed.status());
    body = std::move(parsed).value();
  }
  return route->answer(*this, body, Authorized(request.api_key) && request.api_key.has_value());
}

ApiResponse ApiRoutes::Start(const Json& body) const {
  Result<std::string> prompt = StringField(body, "prompt");
  if (!prompt.ok()) return FromStatus(prompt.status());
  Result<ReplyOutcome> o = context_.service->Start(*prompt);
  if (!o.ok()) return FromStatus(o.status());
  Json out = ReplyBody(*o);
  out["session_id"] = o->session_id;
  return Ok(std::move(out));
}

ApiResponse ApiRoutes::Reply(const Json& body) const {
  Result<std::string> id = StringField(body, "session_id");
  if (!id.ok()) return FromStatus(id.status());
  Result<std::string> prompt = StringField(body, "prompt");
  if (!prompt.ok()) return FromStatus(prompt.status());
  Result<ReplyOutcome> o = context_.service->Reply(*id, *prompt);
  if (!o.ok()) return FromStatus(o.status());
  return Ok(ReplyBody(*o));
}

ApiResponse ApiRoutes::Summarize(const Json& body) const {
  Result<std::string> id = StringField(body, "session_id");
  if (!id.ok()) return FromStatus(id.status());
  Result<std::string> summary = context_.service->Summarize(*id);
  if (!summary.ok()) return FromStatus(summary.status());
  return Ok({{"message", "Session summarized"}, {"status", "success"}, {"summary", *summary}});
}

ApiResponse ApiRoutes::End(const Json& body) const {
  Result<std::string> id = StringField(body, "session_id");
  if (!id.ok()) return FromStatus(id.status());
  if (Status s = context_.service->End(*id); !s.ok()) return FromStatus(s);
  return Ok({{"message", "Session ended"}, {"status", "success"}});
}

ApiResponse ApiRoutes::Get(const Json& body) const {
  Result<std::string> id = StringField(body, "session_id");
  if (!id.ok()) return FromStatus(id.status());
  if (FailpointOn(Failpoint::kAnswerDom)) return GetAsDocument(*id);
  // The answer is about the file's size: asked of the budget before it is
  // built, so that slow readers cannot pile up copies of a large session.
  Result<uint64_t> stored = context_.service->StoredBytes(*id);
  if (!stored.ok()) return FromStatus(stored.status());
  std::optional<PreparedAnswer> answer = StartAnswer(*stored + 1024);
  if (!answer) return AnswerBufferFull();
  answer->bytes.Reserve(*stored + 1024);
  answer->bytes.Append(std::string_view("{\"messages\":["));
  Result<StreamedSession> lines = context_.service->AppendStoredMessages(*id, &answer->bytes);
  if (!lines.ok()) return FromStatus(lines.status());
  std::string tail = "],\"metadata\":";
  WriteMetadataJson(lines->metadata, lines->messages, &tail);
  tail += ",\"session_id\":";
  JsonStringTo(*id, &tail);
  tail += '}';
  answer->bytes.Append(std::move(tail));
  return Prepared(std::move(*answer));
}

// The answer as it was built before: the session parsed into messages, a
// JSON document of them, its text (the answer_dom failpoint's canary).
ApiResponse ApiRoutes::GetAsDocument(const std::string& id) const {
  Result<SessionView> view = context_.service->Get(id);
  if (!view.ok()) return FromStatus(view.status());
  Json messages = Json::array();
  for (const Message& m : view->session.messages) messages.push_back(MessageToJson(m));
  SessionMetadata metadata = view->session.metadata;
  metadata.message_count = static_cast<int64_t>(view->session.messages.size());
  return Ok({{"session_id", view->session_id},
             {"metadata", MetadataToJson(metadata)},
             {"messages", std::move(messages)}});
}

ApiResponse ApiRoutes::List() const {
  Result<std::vector<SessionInfo>> list = context_.service->List();
  if (!list.ok()) return FromStatus(list.status());
  size_t estimate = 16;
  for (const SessionInfo& s : *list) estimate += 96 + s.id.size() + 2 * s.description.size();
  std::optional<PreparedAnswer> answer = StartAnswer(estimate);
  if (!answer) return AnswerBufferFull();
  answer->bytes.Reserve(estimate);
  answer->bytes.Append(std::string_view("{\"sessions\":["));
  std::string item;
  for (size_t i = 0; i < list->size(); ++i) {
    const SessionInfo& s = (*list)[i];
    item.assign(i == 0 ? "{\"description\":" : ",{\"description\":");
    JsonStringTo(s.description, &item);
    item += ",\"message_count\":" + std::to_string(s.message_count) + ",\"modified\":";
    JsonStringTo(FormatUtc(static_cast<std::time_t>(s.modified_unix), "%Y-%m-%d %H:%M:%S UTC"),
                 &item);
    item += ",\"session_id\":";
    JsonStringTo(s.id, &item);
    item += '}';
    answer->bytes.Append(std::string_view(item));
  }
  answer->bytes.Append(std::string_view("]}"));
  return Prepared(std::move(*answer));
}

std::optional<PreparedAnswer> ApiRoutes::StartAnswer(size_t estimate) const {
  if (context_.answer_budget == nullptr) return PreparedAnswer{};
  std::optional<AnswerBudget::Charge> charge = context_.answer_budget->TryCharge(estimate);
  if (!charge) return std::nullopt;
  return PreparedAnswer{ByteQueue(), std::move(*charge)};
}

ApiResponse ApiRoutes::AnswerBufferFull() const {
  const AnswerBudget& budget = *context_.answer_budget;
  return ErrorResponse(503,
                       "the server holds " + std::to_string(budget.in_use()) +
                           " bytes of answers that clients have not read yet, near its limit of " +
                           std::to_string(budget.limit()) +
                           " (GOOSE_API_MAX_ANSWER_BUFFER_BYTES); try again when they have");
}

ApiResponse ApiRoutes::Prepared(PreparedAnswer answer) {
  answer.charge.Set(answer.bytes.bytes_held());
  ApiResponse response;
  response.prepared = std::move(answer);
  return response;
}

ApiResponse ApiRoutes::ExtensionsList() const {
  return Ok({{"extensions", context_.extensions->Names()}});
}

ApiResponse ApiRoutes::ExtensionsAdd(const Json& body) const {
  if (Status s = context_.extensions->Add(body); !s.ok()) return ExtensionError(FromStatus(s));
  return Ok({{"error", false}, {"message", "Extension added"}});
}

ApiResponse ApiRoutes::ExtensionsRemove(const Json& body) const {
  // goose-api takes the bare name as a JSON string; {"name": ...} is accepted too.
  std::string name;
  if (body.is_string()) {
    name = body.get<std::string>();
  } else if (body.is_object() && body.contains("name") && body["name"].is_string()) {
    name = body["name"].get<std::string>();
  } else {
    return ExtensionError(
        ErrorResponse(400, "the body must be the extension name as a JSON string"));
  }
  if (Status s = context_.extensions->Remove(name); !s.ok()) return ExtensionError(FromStatus(s));
  return Ok({{"error", false}, {"message", "Extension removed"}});
}

ApiResponse ApiRoutes::ProviderConfig() const {
  return Ok({{"provider", context_.provider_name}, {"model", context_.model}});
}

ApiResponse ApiRoutes::Metrics(bool authorized) const {
  // Without the key: the process's own figures (what /proc shows its
  // user), nothing about sessions: no ids, no counts, no ledger.
  const ProcessStats p = ReadProcessStats();
  Json resources = Json::object();
  resources["heap_bytes"] = HeapAllocatedBytes();
  resources["heap_backend"] = std::string(HeapBackendName());
  resources["rss_bytes"] = p.rss_bytes;
  resources["open_fds"] = p.open_fds;
  resources["threads"] = p.threads;
  resources["child_processes_os"] = p.children;
  resources["zombies"] = p.zombies;
  if (context_.answer_budget != nullptr) {
    // Answer bytes held for clients that have not read them yet, and the
    // large answers refused because of them (GOOSE_API_MAX_ANSWER_BUFFER_BYTES).
    resources["answer_bytes_buffered"] = context_.answer_budget->in_use();
    resources["answers_refused_busy"] = context_.answer_budget->refused();
  }
  if (!authorized) return Ok({{"resources", std::move(resources)}});

  const std::map<std::string, size_t> counts = context_.registry->MessageCounts();
  Json session_messages = Json::object();
  size_t total_messages = 0;
  for (const auto& [id, n] : counts) {
    total_messages += n;
    session_messages[id] = n;
  }
  const LedgerSnapshot ledger = ResourceLedger::Global().Snapshot();
  for (int i = 0; i < kGaugeCount; ++i) {
    resources[std::string(GaugeName(static_cast<Gauge>(i)))] = ledger.values[i];
  }
  return Ok({{"session_messages", std::move(session_messages)},
             {"total_session_messages", total_messages},
             {"active_sessions", counts.size()},
             {"pending_requests", context_.service->pending()},
             {"sessions_reaped", context_.registry->reaped()},
             {"resources", std::move(resources)}});
}

ApiResponse ApiRoutes::DebugHeap() const {
  Result<std::string> profile = HeapProfileText();
  if (!profile.ok()) return FromStatus(profile.status());
  ApiResponse response;
  response.text = std::move(profile).value();
  return response;
}

}  // namespace goose
