// Fuzzes goose-api's HTTP routes without a socket: ApiRoutes::Handle over
// the real registry, session service and session store (in a temp dir)
// with the scripted MockProvider.
//
// Input layout: byte 0 picks the method, byte 1 the path, byte 2 the
// x-api-key header (none, right, wrong), the rest is the body; "@SID@" in
// the body becomes the id of a live session made at start-up, so the
// fuzzer reaches the per-session routes.
//
// Invariants: every answer has a documented status; every error is
// {"message": <non-empty string>, "status": "error"}; every body dumps as
// JSON; nothing appears in the temp dir besides the sessions directory.

#include <fuzzer/FuzzedDataProvider.h>
#include <stdlib.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/agent/agent.h"
#include "core/agent/session_registry.h"
#include "core/agent/session_service.h"
#include "core/base/log.h"
#include "core/model/session_store.h"
#include "core/server/api_routes.h"
#include "fuzz/fuzz_check.h"
#include "harness/tool_catalog.h"
#include "mock_provider/mock_provider.h"
#include "mock_provider/script.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace goose {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKey = "fuzz-key-0123456789";
// Sessions beyond this many are ended and deleted, so that /sessions/list
// stays cheap however long the fuzzer runs.
constexpr size_t kMaxStoredSessions = 64;

constexpr std::array<const char*, 6> kMethods = {"GET", "POST", "PUT", "DELETE", "HEAD", ""};
constexpr std::array<const char*, 14> kPaths = {
    "/session/start",     "/session/reply",   "/session/summarize", "/session/end",
    "/session/get",       "/sessions/list",   "/extensions/list",   "/extensions/add",
    "/extensions/remove", "/provider/config", "/metrics",           "/",
    "/session/../etc",    "/status"};

fs::path MakeRoot() {
  std::error_code ec;
  fs::path base =
      fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  std::string tmpl = (base / "goose-fuzz-routes-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

// The whole route stack; built once, torn down at exit.
class Harness {
 public:
  Harness()
      : root_(MakeRoot()),
        store_(root_ / "sessions"),
        provider_(mock::DefaultScript()),
        registry_(
            RegistryOptions{std::chrono::hours(1), 32},
            [this](const std::string&) -> Result<std::unique_ptr<Agent>> {
              auto tools = catalog_.MakeToolSet("developer");
              if (!tools.ok()) return tools.status();
              return std::make_unique<Agent>(&provider_, std::move(*tools), AgentOptions{});
            },
            [this](const std::string& id) { return store_.ReadToResume(id); }),
        service_(&registry_, &store_),
        routes_(Context()) {
    if (!store_.EnsureDir().ok()) std::abort();
    ApiResponse r = routes_.Handle(
        ApiRequest{"POST", "/session/start", std::string(kKey), R"({"prompt":"seed"})"});
    if (r.status != 200) std::abort();
    seed_id_ = r.body["session_id"].get<std::string>();
  }
  ~Harness() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  const ApiRoutes& routes() const { return routes_; }
  const std::string& seed_id() const { return seed_id_; }

  // Nothing but the sessions directory in the root; bounded session count.
  void CheckAndTrim() {
    size_t entries = 0;
    for (const auto& e : fs::directory_iterator(root_)) {
      ++entries;
      FUZZ_CHECK(e.path().filename() == "sessions", "nothing is written outside the sessions dir");
    }
    FUZZ_CHECK(entries == 1, "the sessions dir exists");
    Result<std::vector<SessionInfo>> list = store_.List();
    if (!list.ok() || list->size() <= kMaxStoredSessions) return;
    for (const SessionInfo& info : *list) {
      if (info.id == seed_id_) continue;
      (void)service_.End(info.id);
      (void)store_.Delete(info.id);
    }
  }

 private:
  ApiContext Context() {
    ApiContext c;
    c.service = &service_;
    c.registry = &registry_;
    c.extensions = &catalog_;
    c.provider_name = "mock";
    c.model = "mock-model";
    c.api_key = kKey;
    return c;
  }

  fs::path root_;
  SessionStore store_;
  testing::InProcessToolCatalog catalog_;
  mock::MockProvider provider_;
  SessionRegistry registry_;
  SessionService service_;
  ApiRoutes routes_;
  std::string seed_id_;
};

Harness& TheHarness() {
  static const bool quiet = [] {
    SetLogLevel(LogLevel::kError);
    return true;
  }();
  (void)quiet;
  static Harness harness;
  return harness;
}

bool Documented(int status) {
  switch (status) {
    case 200:
    case 400:
    case 401:
    case 404:
    case 405:
    case 409:
    case 413:
    case 500:
    case 503:
    case 504:
    case 507:
      return true;
    default:
      return false;
  }
}

}  // namespace
}  // namespace goose

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace goose;
  Harness& h = TheHarness();
  if (size < 3) return 0;
  ApiRequest request;
  request.method = kMethods[data[0] % kMethods.size()];
  request.path = kPaths[data[1] % kPaths.size()];
  switch (data[2] % 3) {
    case 0:
      break;
    case 1:
      request.api_key = kKey;
      break;
    default:
      request.api_key = "wrong-key";
      break;
  }
  request.body.assign(reinterpret_cast<const char*>(data) + 3, size - 3);
  for (size_t at = request.body.find("@SID@"); at != std::string::npos;
       at = request.body.find("@SID@", at)) {
    request.body.replace(at, 5, h.seed_id());
    at += h.seed_id().size();
  }
  ApiResponse response = h.routes().Handle(request);
  FUZZ_CHECK(Documented(response.status), "a documented status");
  if (response.prepared) {
    // An answer written as text straight from the session file is JSON.
    Result<Json> parsed = JsonParse(response.prepared->bytes.ToString(), "the answer");
    FUZZ_CHECK(parsed.ok(), "a prepared answer is JSON");
    FUZZ_CHECK(parsed->is_object(), "a prepared answer is an object");
  }
  (void)JsonDump(response.body);
  if (response.status != 200) {
    FUZZ_CHECK(response.body.is_object(), "an error is an object");
    // {"status": "error"}; the extension routes answer {"error": true}.
    const Json& b = response.body;
    FUZZ_CHECK((b.contains("status") && b["status"] == "error") ||
                   (b.contains("error") && b["error"] == true),
               "the body marks an error");
    FUZZ_CHECK(response.body.contains("message") && response.body["message"].is_string() &&
                   !response.body["message"].get<std::string>().empty(),
               "an error says what is wrong");
  }
  h.CheckAndTrim();
  return 0;
}
