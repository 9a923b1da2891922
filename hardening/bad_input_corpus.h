// The bad-input corpus: every kind of bad request goose-api must survive,
// as data, so that the table test and the flat-resources gate run the same
// requests.
//
// Each BadRequest is sent whole on a raw connection and must get
// `expected_status` with a JSON error body {"message", "status": "error"}.
// The misbehaving clients (a byte at a time, stalls, disconnects, floods of
// connections) are in RunMisbehavingClients().

#ifndef GOOSE_HARDENING_BAD_INPUT_CORPUS_H_
#define GOOSE_HARDENING_BAD_INPUT_CORPUS_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/test_server.h"

namespace goose::hardening {

// The key every hardening request carries.
inline constexpr const char* kKey = testing::kTestApiKey;

// The server as the hardening tests run it: the harness's TestServer with a
// 1 s read timeout, so that misbehaving clients are cut off quickly.
testing::TestServerOptions HardeningServerOptions();

struct BadRequest {
  std::string name;
  std::string method;
  std::string path;
  std::optional<std::string> key;  // nullopt: no x-api-key header
  std::string body;
  int expected_status;
};

// `max_body_bytes` is the server's limit (for the over-the-limit case).
std::vector<BadRequest> BadRequestCorpus(size_t max_body_bytes);

// Sends every request of the corpus to 127.0.0.1:port on its own
// connection and checks (gtest EXPECTs) the status and the JSON error.
void SendBadRequests(int port, size_t max_body_bytes);

// The misbehaving clients, each followed by a check that the server still
// answers: a client that sends a byte at a time (answered), clients that
// stall mid-headers and mid-body (cut off after the server's read timeout,
// bounded by `cutoff_bound`), that reset the connection mid-request and
// right after sending a request (mid-reply), and `connections` connections
// opened and dropped at once.
// `stalled` false leaves out the two stalled clients (see
// docs/reliability.md: the heap gate runs without them).
void RunMisbehavingClients(int port, int connections, std::chrono::milliseconds cutoff_bound,
                           bool stalled = true);

}  // namespace goose::hardening

#endif  // GOOSE_HARDENING_BAD_INPUT_CORPUS_H_
