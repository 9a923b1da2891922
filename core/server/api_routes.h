// ApiRoutes: goose-api's HTTP routes as plain functions.
//
// Handle() takes a request already read off the wire (method, path, the
// x-api-key header, body) and returns the status and JSON to send. No
// socket is involved, so tests and fuzzers drive every route directly;
// core/server/api_server.h puts it on cpp-httplib.
//
// Every error is `{"message": "...", "status": "error"}` with the status of
// HttpStatusFor(): 400 bad JSON or fields, 401 key, 404 no such session or
// route, 405 wrong method, 503 at capacity, 500 provider or storage failure,
// 507 the sessions disk is full.
//
// /session/get and /sessions/list are written as text straight from the
// session files and the listing (no JSON document of the conversation) and
// sent without a copy (PreparedAnswer); before building one, the answer's
// size is asked of the answer budget, and past it the request is refused
// with 503 (a small answer never is).
//
// GET /debug/heap (key required) exists only in tcmalloc builds and answers
// a text heap profile (core/server/debug_heap.h); elsewhere it is an
// unknown route (404).
//
// Thread-safe.

#ifndef GOOSE_CORE_SERVER_API_ROUTES_H_
#define GOOSE_CORE_SERVER_API_ROUTES_H_

#include <functional>
#include <optional>
#include <string>

#include "core/agent/session_registry.h"
#include "core/agent/session_service.h"
#include "core/base/answer_budget.h"
#include "core/base/byte_queue.h"
#include "core/base/json.h"
#include "core/base/status.h"
#include "core/model/extension_catalog.h"

namespace goose {

struct ApiRequest {
  std::string method;                  // "GET", "POST", ...
  std::string path;                    // without the query string
  std::optional<std::string> api_key;  // the x-api-key header, when present
  std::string body;
};

// A JSON answer already written as text, charged to the answer budget
// (/session/get, /sessions/list): sent as it is, without a copy.
struct PreparedAnswer {
  ByteQueue bytes;
  AnswerBudget::Charge charge;
};

struct ApiResponse {
  int status = 200;
  Json body;
  // When set, sent instead of `body` as text/plain (the heap profile of
  // /debug/heap).
  std::optional<std::string> text;
  // When set, sent instead of `body`.
  std::optional<PreparedAnswer> prepared;
};

struct ApiContext {
  SessionService* service = nullptr;       // required
  SessionRegistry* registry = nullptr;     // required
  ExtensionCatalog* extensions = nullptr;  // required
  std::string provider_name;
  std::string model;
  std::string api_key;  // empty: the server runs open (loopback only)
  // Large answers ask it before they are built; nullptr: unbounded.
  AnswerBudget* answer_budget = nullptr;
};

// The HTTP status for a Status code (the one place this mapping lives).
int HttpStatusFor(StatusCode code);
ApiResponse ErrorResponse(int status, const std::string& message);

class ApiRoutes {
 public:
  // REQUIRES: everything `context` points to outlives the routes.
  explicit ApiRoutes(ApiContext context);

  ApiResponse Handle(const ApiRequest& request) const;

  // The answer to a request refused on its head alone (404 no route, 405
  // wrong method, 401 key), so that its body is never read; nullopt when
  // the head is admissible. Handle() applies the same checks.
  std::optional<ApiResponse> Admit(const std::string& method, const std::string& path,
                                   const std::optional<std::string>& api_key) const;

 private:
  struct Route;
  static const Route* FindRoute(const std::string& method, const std::string& path,
                                bool* path_known);
  bool Authorized(const std::optional<std::string>& api_key) const;

  ApiResponse Start(const Json& body) const;
  ApiResponse Reply(const Json& body) const;
  ApiResponse Summarize(const Json& body) const;
  ApiResponse End(const Json& body) const;
  ApiResponse Get(const Json& body) const;
  ApiResponse GetAsDocument(const std::string& id) const;
  ApiResponse List() const;
  // An empty answer charged `estimate` bytes, or nullopt when the answer
  // budget cannot take them.
  std::optional<PreparedAnswer> StartAnswer(size_t estimate) const;
  ApiResponse AnswerBufferFull() const;
  static ApiResponse Prepared(PreparedAnswer answer);
  ApiResponse ExtensionsList() const;
  ApiResponse ExtensionsAdd(const Json& body) const;
  ApiResponse ExtensionsRemove(const Json& body) const;
  ApiResponse ProviderConfig() const;
  ApiResponse Metrics(bool authorized) const;
  ApiResponse DebugHeap() const;

  ApiResponse FromStatus(const Status& s) const;

  ApiContext context_;
};

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_API_ROUTES_H_
