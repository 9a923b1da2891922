// Hostile clients: the HTTP requests a server must survive, each as one
// function that drives a real socket against 127.0.0.1:<port> and reports
// what the server did.
//
// Every attack generates its bytes as it sends them (nothing the size of
// the attack is held in memory), so that a peak-memory gate running the
// server in the same process measures the server, not the attacker. Each
// one stops as soon as the server answers or closes the connection, or at
// its own bound (bytes or time), whichever comes first.
//
//   ChunkedBodyWithoutEnd   Transfer-Encoding: chunked, chunks forever
//   CompressionBomb         a small gzip / deflate / br body that inflates
//                           to gigabytes
//   PostWithoutLength       a POST body with neither length nor chunking
//   RequestLineWithoutEnd   a request line that never ends
//   HeaderWithoutEnd        one header line that never ends
//   ManyHeaders             a head of many small header lines
//   SlowTrickle             a valid request, one byte at a time
//   ConnectionFlood         many connections opened and left idle
//   DeepJson                a valid-length body nested thousands deep
//   WideJson                valid JSON of many small values up to a size
//   Misframed               a whole head that breaks RFC 9112's framing
//                           (two lengths, a folded line, bare LFs)
//   PipelinedBurst          many requests on one connection, sent without
//                           waiting for the answers
//   SlowReaders             many connections that ask for a large answer
//                           and take it slowly, or not at all
//   LargeAnswer             one request whose whole answer is read and
//                           dropped as it arrives
//
// Thread-compatible: each call owns its sockets.

#ifndef GOOSE_HOSTILE_CLIENT_H_
#define GOOSE_HOSTILE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/unique_fd.h"

namespace goose::hostile {

using std::chrono::milliseconds;

// The server under attack.
struct Victim {
  int port = 0;
  std::string api_key;  // sent as x-api-key when an attack is "keyed"
};

// What the server did with one attack.
struct Outcome {
  int status = -1;              // the answer's status; -1 when none came
  int answers = 0;              // PipelinedBurst: answers received, in order
  bool reset = false;           // the connection was reset (answers may be lost)
  std::string body;             // the answer's body (its first 64 KiB)
  bool closed = false;          // the server closed the connection
  uint64_t bytes_sent = 0;      // of the attack, before the server stopped it
  uint64_t bytes_received = 0;  // LargeAnswer: the whole answer, head included
  milliseconds took{0};

  // "answered 413 after 1.2 MB in 15 ms", for failure messages.
  std::string ToString() const;
};

Outcome ChunkedBodyWithoutEnd(const Victim& victim, bool keyed, uint64_t max_bytes,
                              milliseconds max_time);

enum class Encoding { kGzip, kDeflate, kBrotli };
const char* EncodingName(Encoding encoding);
// The compressed body of `inflated_bytes` zero bytes. Build it before a
// measurement starts: it is the one buffer an attack holds (about a
// thousandth of the inflated size).
std::string BombBody(Encoding encoding, uint64_t inflated_bytes);
// POST /session/start with `body` sent as Content-Encoding `encoding`.
Outcome CompressionBomb(const Victim& victim, Encoding encoding, const std::string& body);

Outcome PostWithoutLength(const Victim& victim, uint64_t max_bytes, milliseconds max_time);
Outcome RequestLineWithoutEnd(const Victim& victim, uint64_t max_bytes, milliseconds max_time);
Outcome HeaderWithoutEnd(const Victim& victim, uint64_t max_bytes, milliseconds max_time);
Outcome ManyHeaders(const Victim& victim, uint64_t count, milliseconds max_time);
// A whole keyed GET /metrics, one byte every `interval`.
Outcome SlowTrickle(const Victim& victim, milliseconds interval, milliseconds max_time);
// POST /session/start whose body is a JSON array nested `depth` deep.
Outcome DeepJson(const Victim& victim, uint64_t depth);
// POST /session/start with {"prompt": ..., "pad": {...}}: `bytes` of small
// distinct members, valid JSON.
Outcome WideJson(const Victim& victim, uint64_t bytes);

// Opens `connections` connections to the victim and holds them until
// destroyed: idle, or trickling a request line a byte at a time
// (TrickleOnce).
class ConnectionFlood {
 public:
  ConnectionFlood(const Victim& victim, size_t connections);
  ~ConnectionFlood();
  ConnectionFlood(const ConnectionFlood&) = delete;
  ConnectionFlood& operator=(const ConnectionFlood&) = delete;

  size_t opened() const { return opened_; }
  // Connections the server has closed so far (read end of stream or error).
  size_t ClosedByServer();
  // Sends one more byte on every open connection (for trickling floods).
  void TrickleOnce();

 private:
  std::vector<UniqueFd> sockets_;
  size_t opened_ = 0;
};

// Which framing rule Misframed breaks.
enum class Misframing {
  kTwoLengths,    // POST with Content-Length: N and Content-Length: 5
  kFoldedLine,    // a keyed GET /metrics with a folded (obs-fold) header
  kBareLineFeeds  // a keyed GET /metrics whose lines end in LF alone
};
const char* MisframingName(Misframing misframing);
// Sends the whole misframed request (for kTwoLengths a body of the first
// length, a valid /session/start) and reads the answer.
Outcome Misframed(const Victim& victim, Misframing misframing);

// `count` keyed GET /metrics on one connection, sent as fast as the server
// takes them while reading the answers as they come. answers counts the
// answers' status lines; closed and reset say how the connection ended.
Outcome PipelinedBurst(const Victim& victim, int count, milliseconds max_time);

// A whole keyed POST of `path` with the JSON `body`.
std::string KeyedPost(const Victim& victim, const std::string& path, const std::string& body);

// A whole keyed GET of `path` whose head (request line and header lines,
// without the blank line that ends it) is `head_bytes` long: padded with
// header lines of at most 1 KiB. REQUIRES: head_bytes >= 256.
std::string KeyedGetOfHeadSize(const Victim& victim, const std::string& path, size_t head_bytes);

// `count` connections, each with a 4 KiB receive buffer, that send
// `request` and take nothing of the answer until Sip(); closed when
// destroyed.
class SlowReaders {
 public:
  SlowReaders(const Victim& victim, size_t count, const std::string& request);
  ~SlowReaders();
  SlowReaders(const SlowReaders&) = delete;
  SlowReaders& operator=(const SlowReaders&) = delete;

  size_t opened() const { return sockets_.size(); }
  // Takes at most `bytes` of its answer on every connection, without
  // waiting.
  void Sip(size_t bytes);
  // The answers' statuses seen by the sips so far (-1: not yet).
  const std::vector<int>& statuses() const { return statuses_; }

 private:
  std::vector<UniqueFd> sockets_;
  std::vector<std::string> heads_;  // the first bytes of each answer
  std::vector<int> statuses_;
};

// Sends `request` and reads its whole answer (up to `max_time`), keeping
// the first 64 KiB of its body; bytes_received counts all of it.
Outcome LargeAnswer(const Victim& victim, const std::string& request, milliseconds max_time);

// Raises this process's open-file limit to its hard limit (a flood needs
// two descriptors per connection when the server runs in the process).
void RaiseOpenFileLimit();

}  // namespace goose::hostile

#endif  // GOOSE_HOSTILE_CLIENT_H_
