#include "mock_provider/mock_llm_server.h"

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "core/base/http_server.h"
#include "mock_provider/anthropic_protocol.h"
#include "mock_provider/openai_protocol.h"
#include "mock_provider/sse_reply.h"
#include "mock_provider/turn_cursor.h"

namespace goose::mock {
namespace {

// How long an idle keep-alive connection is kept.
constexpr auto kIdleConnection = std::chrono::seconds(1);
// Start() waits this long for the listener thread to come up.
constexpr auto kStartTimeout = std::chrono::seconds(10);

class HttplibSink final : public FrameSink {
 public:
  explicit HttplibSink(httplib::DataSink& sink) : sink_(sink) {}
  bool Write(std::string_view bytes) override { return sink_.write(bytes.data(), bytes.size()); }
  void Done() override { sink_.done(); }

 private:
  httplib::DataSink& sink_;
};

// The mock's connections: its streams may last as long as a script says
// (no bound on a whole response), its workers are the options'.
HttpLimits MockLimits(const MockLlmServerOptions& options) {
  HttpLimits limits;
  limits.threads = options.worker_threads == 0 ? 1 : static_cast<int>(options.worker_threads);
  limits.keep_alive_timeout = kIdleConnection;
  limits.response_timeout = std::chrono::milliseconds(0);
  return limits;
}

void Answer(const HttpAnswer& answer, httplib::Response& res) {
  res.status = answer.status;
  for (const auto& [name, value] : answer.headers) res.set_header(name, value);
  res.set_content(JsonDump(answer.body), "application/json");
}

}  // namespace

struct MockLlmServer::Impl {
  explicit Impl(MockLlmServerOptions opts)
      : options(std::move(opts)), journal(options.journal_size), server(MockLimits(options)) {}

  void InstallRoutes();
  void HandleChat(const WireProtocol& protocol, const httplib::Request& req,
                  httplib::Response& res);
  void AnswerNonStreaming(const WireProtocol& protocol, const WireRequest& wire, uint64_t seq,
                          const ScriptedTurn& turn, uint64_t turn_seed, httplib::Response& res);

  MockLlmServerOptions options;
  ScriptLibrary library;
  MockStatsRecorder stats;
  RequestJournal journal;
  StopSignal stop;
  std::atomic<uint64_t> request_seq{0};
  OpenAIProtocol openai;
  AnthropicProtocol anthropic;
  HttpServer server;  // backlog, SO_REUSEPORT and socket-leak fixes: core/base/http_server.h
  int port = 0;
  std::atomic<bool> listen_returned{false};
  std::jthread thread;
  bool stopped = false;  // Stop() ran; touched by the owner's thread only
};

void MockLlmServer::Impl::InstallRoutes() {
  server.set_payload_max_length(options.max_request_bytes);

  server.Post(R"(/(v1/)?chat/completions)",
              [this](const httplib::Request& req, httplib::Response& res) {
                HandleChat(openai, req, res);
              });
  server.Post(R"(/(v1/)?messages)", [this](const httplib::Request& req, httplib::Response& res) {
    HandleChat(anthropic, req, res);
  });
  server.Get(R"(/(v1/)?models)", [this](const httplib::Request&, httplib::Response& res) {
    Json data = Json::array();
    for (const auto& script : library.All()) {
      data.push_back(Json{
          {"id", script->name}, {"object", "model"}, {"created", 0}, {"owned_by", "mock-llm"}});
    }
    res.set_content(JsonDump(Json{{"object", "list"}, {"data", std::move(data)}}),
                    "application/json");
  });
  server.Get("/mock/requests", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(JsonDump(journal.ToJson()), "application/json");
  });
  server.Get("/mock/stats", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(JsonDump(stats.Snapshot().ToJson()), "application/json");
  });
  server.Post("/mock/reset", [this](const httplib::Request&, httplib::Response& res) {
    stats.Reset();
    journal.Clear();
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  // Called for every answer >= 400; only fills in answers without a body
  // (no route, wrong method), never overwrites a scripted error body.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || res.content_provider_) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        Answer(openai.Error(WireError::kNotFound, res.status,
                            "mock-llm has no route " + req.method + " " + req.path),
               res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Answer(openai.Error(WireError::kServerError, 500, "mock-llm internal error: " + what), res);
      });
}

void MockLlmServer::Impl::HandleChat(const WireProtocol& protocol, const httplib::Request& req,
                                     httplib::Response& res) {
  stats.RequestSeen();
  const uint64_t seq = request_seq.fetch_add(1, std::memory_order_relaxed) + 1;
  Result<Json> body = JsonParse(req.body, "request body");
  if (!body.ok()) {
    Answer(protocol.Error(WireError::kBadRequest, 400, body.status().message()), res);
    return;
  }
  Result<WireRequest> parsed = protocol.Parse(*body);
  if (!parsed.ok()) {
    Answer(protocol.Error(WireError::kBadRequest, 400, parsed.status().message()), res);
    return;
  }
  const WireRequest& wire = *parsed;

  const std::string header = req.get_header_value("x-mock-script");
  std::shared_ptr<const Script> script;
  if (!header.empty()) {
    script = library.Find(header);
    if (script == nullptr) {
      Answer(protocol.Error(WireError::kUnknownScript, 404,
                            "no script named \"" + header + "\" (from header x-mock-script)"),
             res);
      return;
    }
  } else {
    script = library.Find(wire.model);
    if (script == nullptr) script = library.Default();
  }

  Json entry = {{"seq", seq},
                {"protocol", protocol.name()},
                {"path", req.path},
                {"model", wire.model},
                {"stream", wire.stream},
                {"script", script->name},
                {"turn", wire.assistant_turns},
                {"messages", wire.messages},
                {"tools", wire.tools}};
  if (!wire.system.is_null()) entry["system"] = wire.system;
  if (!header.empty()) entry["x_mock_script"] = header;
  journal.Record(std::move(entry));

  std::string exhausted;
  const ScriptedTurn* turn = SelectTurn(*script, wire.assistant_turns, &exhausted);
  if (turn == nullptr) {
    stats.StreamEnded(stats.StreamStarted(0), StreamOutcome::kFailed);
    Answer(protocol.Error(WireError::kScriptExhausted, 400, exhausted), res);
    return;
  }
  const uint64_t turn_seed =
      TurnSeed(script->seed.value_or(options.seed), wire.first_user_text, wire.assistant_turns);

  const ScriptedFailure& failure = turn->failure;
  if (IsPreStreamFailure(failure.kind)) {
    const uint64_t epoch = stats.StreamStarted(0);
    if (turn->time_to_first_chunk_ms > 0 &&
        !stop.WaitUntil(SteadyClock::now() +
                        std::chrono::milliseconds(turn->time_to_first_chunk_ms))) {
      stats.StreamEnded(epoch, StreamOutcome::kCancelled);
      Answer(protocol.Error(WireError::kServerError, 503, "mock-llm is stopping"), res);
      return;
    }
    stats.StreamEnded(epoch, StreamOutcome::kFailed);
    HttpAnswer answer;
    switch (failure.kind) {
      case FailureKind::kHttp429:
        answer = protocol.Error(WireError::kRateLimited, 429, FailureMessage(failure));
        answer.headers.emplace_back("Retry-After", std::to_string(failure.retry_after_s));
        break;
      case FailureKind::kHttp500:
        answer = protocol.Error(WireError::kServerError, static_cast<int>(failure.status),
                                FailureMessage(failure));
        break;
      default:
        answer = protocol.Error(WireError::kContextLengthExceeded, 400, FailureMessage(failure));
        break;
    }
    Answer(answer, res);
    return;
  }

  const TokenUsage usage = ResolveUsage(*turn, wire.text_bytes);
  if (!wire.stream) {
    AnswerNonStreaming(protocol, wire, seq, *turn, turn_seed, res);
    return;
  }
  auto reply = std::make_shared<SseReply>(script, *turn, turn_seed,
                                          protocol.NewEncoder(wire, seq, usage), &stop, &stats);
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [reply](size_t, httplib::DataSink& sink) {
        HttplibSink adapter(sink);
        return reply->Pump(adapter);
      },
      [reply](bool success) { reply->Release(success); });
}

void MockLlmServer::Impl::AnswerNonStreaming(const WireProtocol& protocol, const WireRequest& wire,
                                             uint64_t seq, const ScriptedTurn& turn,
                                             uint64_t turn_seed, httplib::Response& res) {
  const uint64_t epoch = stats.StreamStarted(PlannedChunks(turn));
  CollectOutcome collected = CollectReply(turn, turn_seed, stop);
  stats.ChunksConsumed(epoch, collected.reply.chunks);
  if (collected.stopped) {
    stats.StreamEnded(epoch, StreamOutcome::kCancelled);
    Answer(protocol.Error(WireError::kServerError, 503, "mock-llm is stopping"), res);
    return;
  }
  const ScriptedFailure& failure = turn.failure;
  switch (collected.cut_by) {
    case FailureKind::kErrorFrame: {
      const WireError error = WireErrorOf(failure);
      stats.StreamEnded(epoch, StreamOutcome::kFailed);
      Answer(protocol.Error(error, error == WireError::kContextLengthExceeded ? 400 : 500,
                            FailureMessage(failure)),
             res);
      return;
    }
    case FailureKind::kCorruptFrame:
      stats.StreamEnded(epoch, StreamOutcome::kFailed);
      res.set_content(protocol.CorruptBody(), "application/json");
      return;
    case FailureKind::kAbruptClose:
      // Headers promise a body; the connection closes before any of it.
      stats.StreamEnded(epoch, StreamOutcome::kFailed);
      res.set_content_provider(1024, "application/json",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    case FailureKind::kStall: {
      // JSON allows leading whitespace: keep writing it until the client leaves.
      const int64_t interval = failure.keepalive_ms;
      const StopSignal* stopping = &stop;
      MockStatsRecorder* recorder = &stats;
      res.set_chunked_content_provider(
          "application/json",
          [stopping, interval](size_t, httplib::DataSink& sink) {
            if (interval == 0) {
              stopping->WaitUntil(SteadyClock::time_point::max());
              return false;
            }
            while (stopping->WaitUntil(SteadyClock::now() + std::chrono::milliseconds(interval))) {
              if (!sink.write(" ", 1)) return false;
            }
            return false;
          },
          [recorder, epoch](bool) { recorder->StreamEnded(epoch, StreamOutcome::kCancelled); });
      return;
    }
    default:
      break;  // whole (no_done and duplicate_frame change nothing here)
  }
  stats.StreamEnded(epoch, StreamOutcome::kCompleted);
  Answer(HttpAnswer{200,
                    protocol.ReplyBody(wire, seq, collected.reply,
                                       ResolveUsage(turn, wire.text_bytes)),
                    {}},
         res);
}

Result<std::unique_ptr<MockLlmServer>> MockLlmServer::Start(MockLlmServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  for (Script& script : impl->options.scripts) {
    Status added = impl->library.Add(std::move(script));
    if (!added.ok()) return added;
  }
  impl->options.scripts.clear();
  impl->InstallRoutes();
  const std::string& host = impl->options.host;
  if (impl->options.port == 0) {
    impl->port = impl->server.bind_to_any_port(host);
  } else if (impl->server.bind_to_port(host, impl->options.port)) {
    impl->port = impl->options.port;
  } else {
    impl->port = -1;
  }
  if (impl->port <= 0) {
    return Status(StatusCode::kUnavailable,
                  "mock-llm cannot listen on " + host + ":" + std::to_string(impl->options.port));
  }
  if (!impl->server.WidenBacklog()) {
    return Status(StatusCode::kUnavailable,
                  std::string("mock-llm cannot widen its listen backlog: ") + std::strerror(errno));
  }
  Impl* raw = impl.get();
  impl->thread = std::jthread([raw] {
    raw->server.listen_after_bind();
    raw->listen_returned.store(true, std::memory_order_release);
  });
  // httplib's stop() only works once the listener runs; wait for it, so that
  // a Stop() right after Start() cannot miss it.
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!raw->server.is_running() && !raw->listen_returned.load(std::memory_order_acquire)) {
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::unique_ptr<MockLlmServer> server(new MockLlmServer(std::move(impl)));
  if (!raw->server.is_running()) {
    server->Stop();
    return Status(StatusCode::kUnavailable, "mock-llm listener did not start");
  }
  return server;
}

MockLlmServer::MockLlmServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MockLlmServer::~MockLlmServer() { Stop(); }

void MockLlmServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->stop.Stop();
  impl_->server.Shutdown();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int MockLlmServer::port() const { return impl_->port; }
const std::string& MockLlmServer::host() const { return impl_->options.host; }
std::string MockLlmServer::base_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port);
}
MockStatsRecorder& MockLlmServer::stats() { return impl_->stats; }
RequestJournal& MockLlmServer::journal() { return impl_->journal; }
const ScriptLibrary& MockLlmServer::scripts() const { return impl_->library; }

}  // namespace goose::mock
