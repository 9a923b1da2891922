// Full HTTP round trips on loopback against the whole server (ServerStack)
// with the scripted mock provider, next to two floors, both a bare
// HttpServer in the same process answering a JSON body of the reply's size:
//  - the floor: no other work (what HTTP on loopback costs);
//  - the durable floor: the same, after appending as many bytes as a reply
//    writes to its session file to a file beside the sessions, with the
//    least an append needs (open with O_APPEND, one write, close): what the
//    file contract (every message in the file before its answer) costs at
//    minimum.
// Every client thread alternates a request to the server and one to each
// floor, so all see the same machine load; the figures are the ratios of
// their medians (reply_over_floor, reply_over_durable_floor).
//
// One iteration = one /session/reply and one request to each floor; every
// kRepliesPerSession replies the client ends its session and starts a new
// one (/session/end, /session/start), so conversations stay short and the
// figure does not drift with the run's length.
//
// Counters (from the first thread; latencies of every thread):
//   reply_p50_us, reply_p99_us, floor_p50_us, floor_p99_us,
//   start_p50_us, start_p99_us   latency percentiles in microseconds
//   reply_over_floor             reply p50 / floor p50 (gated, 1 and 4
//                                clients)
//   reply_over_floor_p99         reply p99 / floor p99
//   durable_floor_p50_us         the durable floor's median
//   reply_over_durable_floor     reply p50 / durable floor p50 (gated,
//                                1 client)
//   replies_per_s, requests_per_s  rates over the run (all threads)
//   allocations_per_reply        operator new calls in the process (server,
//                                client, floor) per measured reply, session
//                                starts included
//   bytes_written_per_reply      bytes given to write(2) per measured reply,
//                                the durable floor's excluded
//                                (the session files: appends, and the
//                                whole file at each start; gated: a count
//                                that does not move with the machine's load)
//
// Variants: clients 1 and 4; tools 0 (three messages of four chunks) or 1
// (a tool loop through a mock-mcp stdio extension, one per session). The
// short pass runs tools 0 with both client counts.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/alloc_counter.h"
#include "bench/bench_util.h"
#include "core/base/http_server.h"
#include "core/base/json.h"
#include "core/base/unique_fd.h"
#include "harness/test_server.h"
#include "harness/test_util.h"
#include "mock_provider/script.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRepliesPerSession = 32;
constexpr int kWarmupCycles = 5;

mock::Script RigScript(bool tools) {
  return tools ? ToolLoopScript() : mock::DefaultScript();  // three messages of four 8-byte chunks
}

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// Minor page faults of this process so far (getrusage).
int64_t MinorPageFaults() {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Bytes this process has handed to write(2) and its relatives so far
// (/proc/self/io wchar; sockets written with send(2), as cpp-httplib does,
// are not counted). For the round trip that is the session files, so the
// count per reply is what the file contract writes, whatever the load.
int64_t BytesWritten() {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return -1;
}

// The server under test, the floor, and what the client threads collect.
class Rig {
 public:
  explicit Rig(bool tools, int server_threads = 16) {
    testing::TestServerOptions options;
    options.script = RigScript(tools);
    options.stdio_extensions = tools;
    options.stack.api_key = "";  // open: the floor sends no key either
    options.stack.registry.max_sessions = 10000;
    options.stack.http.limits.threads = server_threads;
    server_ = std::make_unique<testing::TestServer>(std::move(options));
    if (tools) {
      Json config = {{"type", "stdio"},
                     {"name", "mcp"},
                     {"cmd", GOOSE_MOCK_MCP_PATH},
                     {"args", Json::array()},
                     {"timeout", 30}};
      Status added = server_->catalog().Add(config);
      if (!added.ok()) {
        error_ = "cannot add mock-mcp: " + added.ToString();
        return;
      }
    }
    Status started = server_->Start();
    if (!started.ok()) {
      error_ = "server did not start: " + started.ToString();
      return;
    }
    // The floor answers with a body of the reply's size: learn it from one
    // start + reply before the floor serves anything (then it is read-only).
    httplib::Client probe("127.0.0.1", server_->port());
    probe.set_tcp_nodelay(true);
    auto started_res =
        probe.Post("/session/start", Json{{"prompt", "Hello there"}}.dump(), "application/json");
    Json started_body = started_res ? Json::parse(started_res->body, nullptr, false) : Json();
    if (!started_body.is_object() || !started_body.contains("session_id")) {
      error_ = "probe /session/start failed";
      return;
    }
    const std::string id = started_body["session_id"];
    auto replied = probe.Post("/session/reply",
                              Json{{"session_id", id}, {"prompt", "And what about this?"}}.dump(),
                              "application/json");
    if (!replied || replied->status != 200) {
      error_ = "probe /session/reply failed";
      return;
    }
    floor_payload_ = replied->body;
    probe.Post("/session/end", Json{{"session_id", id}}.dump(), "application/json");
    // The durable floor appends what one reply writes: measured on a reply
    // of a fresh session (its appends, not the start's whole-file write).
    const int64_t written_before = BytesWritten();
    const std::string second = Start(probe);
    const int64_t after_start = BytesWritten();
    probe.Post("/session/reply",
               Json{{"session_id", second}, {"prompt", "And what about this?"}}.dump(),
               "application/json");
    const int64_t per_reply = BytesWritten() - after_start;
    probe.Post("/session/end", Json{{"session_id", second}}.dump(), "application/json");
    durable_payload_.assign(
        static_cast<size_t>(per_reply > 0 && written_before >= 0 ? per_reply : 1024), 'x');
    durable_payload_.back() = '\n';
    durable_path_ = server_->root() / "durable_floor.jsonl";
    floor_.Post("/floor", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(floor_payload_, "application/json");
    });
    floor_.Post("/durable", [this](const httplib::Request&, httplib::Response& res) {
      AppendDurably();
      res.set_content(floor_payload_, "application/json");
    });
    floor_port_ = floor_.bind_to_any_port("127.0.0.1");
    if (floor_port_ <= 0 || !floor_.WidenBacklog()) {
      error_ = "floor server did not bind";
      return;
    }
    floor_thread_ = std::jthread([this] { floor_.listen_after_bind(); });
  }

  ~Rig() {
    floor_.Shutdown();
    if (floor_thread_.joinable()) floor_thread_.join();
    if (server_) server_->Shutdown();
  }

  const std::string& error() const { return error_; }
  // Bytes the durable floor has written (not the server's).
  int64_t durable_written() const { return durable_written_.load(); }
  int api_port() const { return server_->port(); }
  int floor_port() const { return floor_port_; }

  // Each client thread hands its latencies over when done.
  void Merge(std::vector<double> reply, std::vector<double> floor, std::vector<double> durable,
             std::vector<double> start) {
    std::lock_guard<std::mutex> lock(mu_);
    reply_.insert(reply_.end(), reply.begin(), reply.end());
    floor_lat_.insert(floor_lat_.end(), floor.begin(), floor.end());
    durable_lat_.insert(durable_lat_.end(), durable.begin(), durable.end());
    start_.insert(start_.end(), start.begin(), start.end());
    ++merged_;
    merged_cv_.notify_all();
  }
  // Counts a client thread that entered the benchmark loop.
  void Entered() {
    std::lock_guard<std::mutex> lock(mu_);
    ++entered_;
  }
  // Waits until every client that entered has merged; then the vectors are
  // the caller's. (Google Benchmark's memory-manager run starts only thread
  // 0 of a multi-threaded benchmark, so state.threads() is not the count;
  // its end-of-loop barrier makes every thread that ran enter before any
  // leaves the loop.)
  void AwaitMerged() {
    std::unique_lock<std::mutex> lock(mu_);
    merged_cv_.wait(lock, [&] { return merged_ == entered_; });
  }
  std::vector<double>& reply() { return reply_; }
  std::vector<double>& floor_latencies() { return floor_lat_; }
  std::vector<double>& durable_latencies() { return durable_lat_; }
  std::vector<double>& start() { return start_; }

 private:
  // The least an append of one reply's bytes needs.
  void AppendDurably() {
    UniqueFd fd(::open(durable_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.valid()) return;
    const ssize_t n = ::write(fd.get(), durable_payload_.data(), durable_payload_.size());
    if (n > 0) durable_written_.fetch_add(n);
  }

  static std::string Start(httplib::Client& client) {
    auto res =
        client.Post("/session/start", Json{{"prompt", "Hello there"}}.dump(), "application/json");
    Json body = res ? Json::parse(res->body, nullptr, false) : Json();
    return body.is_object() ? body.value("session_id", "") : "";
  }

  std::unique_ptr<testing::TestServer> server_;
  HttpServer floor_;
  std::string durable_payload_;  // set before the floor listens; read-only after
  std::filesystem::path durable_path_;
  std::atomic<int64_t> durable_written_{0};
  int floor_port_ = -1;
  std::string floor_payload_;  // set before the floor listens; read-only after
  std::jthread floor_thread_;
  std::string error_;

  std::mutex mu_;
  std::condition_variable merged_cv_;
  int merged_ = 0;
  int entered_ = 0;
  std::vector<double> reply_, floor_lat_, durable_lat_, start_;
};

// One client thread's connections and session.
class Client {
 public:
  Client(int api_port, int floor_port)
      : api_("127.0.0.1", api_port), floor_("127.0.0.1", floor_port) {
    for (httplib::Client* c : {&api_, &floor_}) {
      c->set_tcp_nodelay(true);
      c->set_keep_alive(true);
      c->set_read_timeout(60);
    }
  }

  // POSTs `body`; the response body, or an error string in *error.
  std::string Post(httplib::Client& client, const char* path, const std::string& body,
                   std::string* error) {
    auto res = client.Post(path, body, "application/json");
    if (!res) {
      *error = std::string(path) + ": " + httplib::to_string(res.error());
      return {};
    }
    if (res->status != 200) {
      *error = std::string(path) + ": HTTP " + std::to_string(res->status) + " " + res->body;
      return {};
    }
    return res->body;
  }

  // Starts a session; its id, or "" with *error set.
  std::string Start(std::string* error) {
    const std::string body =
        Post(api_, "/session/start", Json{{"prompt", "Hello there"}}.dump(), error);
    if (body.empty()) return {};
    Json parsed = Json::parse(body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("session_id")) {
      *error = "/session/start: no session_id in " + body;
      return {};
    }
    return parsed["session_id"].get<std::string>();
  }
  std::string ReplyBody(const std::string& id) const {
    return Json{{"session_id", id}, {"prompt", "And what about this?"}}.dump();
  }

  httplib::Client api_;
  httplib::Client floor_;
};

std::unique_ptr<Rig> g_rig;  // shared by the threads of one run; thread 0 owns it

void BM_RoundTrip(benchmark::State& state) {
  const bool tools = state.range(0) != 0;
  if (state.thread_index() == 0) g_rig = std::make_unique<Rig>(tools);
  // Google Benchmark holds every thread at the start of the loop until all
  // arrive, so thread 0's setup is done before another thread reads g_rig.
  std::vector<double> reply_lat, floor_lat, durable_lat, start_lat;
  int64_t api_requests = 0;
  std::string error;
  std::unique_ptr<Client> client;
  std::string session;
  int replies_in_session = 0;
  bool first = true;
  int64_t allocations_before = 0;
  int64_t written_before = 0;
  int64_t durable_before = 0;

  auto end_session = [&] {
    if (session.empty()) return;
    client->Post(client->api_, "/session/end", Json{{"session_id", session}}.dump(), &error);
    ++api_requests;
    session.clear();
    replies_in_session = 0;
  };

  for (auto _ : state) {
    if (first) {
      first = false;
      g_rig->Entered();
      if (!g_rig->error().empty()) {
        state.SkipWithError(g_rig->error().c_str());
        break;
      }
      client = std::make_unique<Client>(g_rig->api_port(), g_rig->floor_port());
      if (state.thread_index() == 0) {
        // Warm up both servers (first connections, first allocations).
        for (int i = 0; i < kWarmupCycles && error.empty(); ++i) {
          session = client->Start(&error);
          client->Post(client->api_, "/session/reply", client->ReplyBody(session), &error);
          client->Post(client->floor_, "/floor", client->ReplyBody(session), &error);
          client->Post(client->floor_, "/durable", client->ReplyBody(session), &error);
          end_session();
        }
        api_requests = 0;
        allocations_before = AllocationCount();
        written_before = BytesWritten();
        durable_before = g_rig->durable_written();
      }
    }
    if (session.empty()) {
      const Clock::time_point t0 = Clock::now();
      session = client->Start(&error);
      start_lat.push_back(Micros(Clock::now() - t0));
      ++api_requests;
    }
    const std::string body = client->ReplyBody(session);
    const Clock::time_point t0 = Clock::now();
    client->Post(client->api_, "/session/reply", body, &error);
    const Clock::time_point t1 = Clock::now();
    client->Post(client->floor_, "/floor", body, &error);
    const Clock::time_point t2 = Clock::now();
    client->Post(client->floor_, "/durable", body, &error);
    const Clock::time_point t3 = Clock::now();
    ++api_requests;
    reply_lat.push_back(Micros(t1 - t0));
    floor_lat.push_back(Micros(t2 - t1));
    durable_lat.push_back(Micros(t3 - t2));
    if (++replies_in_session == kRepliesPerSession) end_session();
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  if (client) end_session();

  state.counters["replies_per_s"] =
      benchmark::Counter(static_cast<double>(reply_lat.size()), benchmark::Counter::kIsRate);
  state.counters["requests_per_s"] =
      benchmark::Counter(static_cast<double>(api_requests), benchmark::Counter::kIsRate);
  if (!first) {
    g_rig->Merge(std::move(reply_lat), std::move(floor_lat), std::move(durable_lat),
                 std::move(start_lat));
  }
  if (state.thread_index() != 0) return;

  g_rig->AwaitMerged();
  const int64_t allocations = AllocationCount() - allocations_before;
  const int64_t written =
      BytesWritten() - written_before - (g_rig->durable_written() - durable_before);
  std::vector<double>& reply = g_rig->reply();
  std::vector<double>& floor = g_rig->floor_latencies();
  std::vector<double>& start = g_rig->start();
  const double reply_p50 = Percentile(reply, 50), reply_p99 = Percentile(reply, 99);
  const double floor_p50 = Percentile(floor, 50), floor_p99 = Percentile(floor, 99);
  state.counters["reply_p50_us"] = reply_p50;
  state.counters["reply_p99_us"] = reply_p99;
  state.counters["floor_p50_us"] = floor_p50;
  state.counters["floor_p99_us"] = floor_p99;
  state.counters["start_p50_us"] = Percentile(start, 50);
  state.counters["start_p99_us"] = Percentile(start, 99);
  if (floor_p50 > 0) state.counters["reply_over_floor"] = reply_p50 / floor_p50;
  if (floor_p99 > 0) state.counters["reply_over_floor_p99"] = reply_p99 / floor_p99;
  const double durable_p50 = Percentile(g_rig->durable_latencies(), 50);
  state.counters["durable_floor_p50_us"] = durable_p50;
  if (durable_p50 > 0) state.counters["reply_over_durable_floor"] = reply_p50 / durable_p50;
  if (!reply.empty()) {
    state.counters["allocations_per_reply"] =
        static_cast<double>(allocations) / static_cast<double>(reply.size());
    if (written_before >= 0 && written >= 0) {
      state.counters["bytes_written_per_reply"] =
          static_cast<double>(written) / static_cast<double>(reply.size());
    }
  }
  g_rig.reset();
}

// Net heap growth per drained request: one client, a server with two
// worker threads (so a short warm-up reaches every thread's allocator
// caches), kGrowthWarmupCycles cycles of start + reply + end, then the
// measured cycles (one per iteration). Every session is ended before the
// heap is read again, so a server that keeps nothing shows 0 within noise.
// Counters heap_growth_per_request (bytes; gated) and
// allocations_per_request (calls of operator new in this process, server
// and client, per request; gated: a count, so it does not move with the
// machine's load the way latencies do).
constexpr int kGrowthWarmupCycles = 30;

void BM_HeapGrowthPerRequest(benchmark::State& state) {
  Rig rig(/*tools=*/false, /*server_threads=*/2);
  if (!rig.error().empty()) {
    state.SkipWithError(rig.error().c_str());
    return;
  }
  Client client(rig.api_port(), rig.floor_port());
  std::string error;
  int64_t requests = 0;
  auto cycle = [&] {
    const std::string id = client.Start(&error);
    if (id.empty()) return;
    client.Post(client.api_, "/session/reply", client.ReplyBody(id), &error);
    client.Post(client.api_, "/session/end", Json{{"session_id", id}}.dump(), &error);
    requests += 3;
  };
  for (int i = 0; i < kGrowthWarmupCycles && error.empty(); ++i) cycle();
  requests = 0;
  const int64_t before = probe::HeapGauge::AllocatedBytes();
  const int64_t allocations_before = AllocationCount();
  for (auto _ : state) {
    cycle();
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  const int64_t after = probe::HeapGauge::AllocatedBytes();
  const int64_t allocations = AllocationCount() - allocations_before;
  state.counters["heap_growth_per_request"] =
      static_cast<double>(after - before) / static_cast<double>(requests);
  state.counters["allocations_per_request"] =
      static_cast<double>(allocations) / static_cast<double>(requests);
}

// Session start with one stdio extension (mock-mcp through goose-ext-shim):
// one client starts a session (the server spawns the extension and runs
// the MCP handshake) and ends it (the extension is stopped), after
// kGrowthWarmupCycles / 10 warm-up cycles.
// Counters: extension_start_p50_us, extension_start_p99_us (latency of the
// start) and page_faults_per_start (minor page faults of this process,
// server and client, per start and end; gated: a count, not a time). A
// server that forked its children instead of vforking them copies its page
// tables for every spawn, and every page it writes afterwards faults once.
void BM_ExtensionStart(benchmark::State& state) {
  Rig rig(/*tools=*/true, /*server_threads=*/2);
  if (!rig.error().empty()) {
    state.SkipWithError(rig.error().c_str());
    return;
  }
  Client client(rig.api_port(), rig.floor_port());
  std::string error;
  auto cycle = [&](std::vector<double>* latencies) {
    const Clock::time_point started = Clock::now();
    const std::string id = client.Start(&error);
    if (id.empty()) return;
    if (latencies != nullptr) latencies->push_back(Micros(Clock::now() - started));
    client.Post(client.api_, "/session/end", Json{{"session_id", id}}.dump(), &error);
  };
  for (int i = 0; i < kGrowthWarmupCycles / 10 && error.empty(); ++i) cycle(nullptr);
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(state.max_iterations));
  const int64_t faults_before = MinorPageFaults();
  int64_t starts = 0;
  for (auto _ : state) {
    cycle(&latencies);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    ++starts;
  }
  state.counters["page_faults_per_start"] =
      static_cast<double>(MinorPageFaults() - faults_before) / static_cast<double>(starts);
  state.counters["extension_start_p50_us"] = Percentile(latencies, 50);
  state.counters["extension_start_p99_us"] = Percentile(latencies, 99);
}

}  // namespace

void RegisterRoundTripBenchmarks(const SuiteMode& mode) {
  benchmark::RegisterBenchmark("BM_ExtensionStart", BM_ExtensionStart)
      ->Iterations(mode.short_pass ? 20 : 100)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_HeapGrowthPerRequest", BM_HeapGrowthPerRequest)
      ->Iterations(mode.short_pass ? 100 : 400)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  const double min_time = mode.short_pass ? 0.5 : 3.0;
  for (int tools : {0, 1}) {
    for (int clients : {1, 4}) {
      if (mode.short_pass && tools == 1) continue;  // both client counts are gated
      benchmark::RegisterBenchmark("BM_RoundTrip", BM_RoundTrip)
          ->ArgName("tools")
          ->Arg(tools)
          ->Threads(clients)
          ->MinTime(min_time)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace goose::bench
