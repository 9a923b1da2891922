// BoundedClient: cpp-httplib's client (plain or TLS) with the answer's head
// bounded.
//
// cpp-httplib 0.11.4 reads a response head line by line into a growing
// buffer and a header map, with no bound on either: a provider that sends
// header lines without end grows the process until its timeout. These
// clients read through a stream of their own that counts the head's bytes
// and fails the read once they pass `max_head_bytes`; the call then fails
// and head_too_large() says why. Everything else (timeouts, TLS with
// certificate verification) is cpp-httplib's.
//
// One call at a time, like cpp-httplib's own clients.

#ifndef GOOSE_CORE_PROVIDERS_BOUNDED_CLIENT_H_
#define GOOSE_CORE_PROVIDERS_BOUNDED_CLIENT_H_

#include <httplib.h>

#include <cstddef>
#include <memory>
#include <string>

namespace goose {

// What a bounded client's stream observed of the answer being read.
struct HeadBound {
  size_t max_head_bytes = 64 * 1024;
  size_t head_bytes = 0;   // bytes of the head read so far
  int matched = 0;         // how much of "\r\n\r\n" the last bytes matched
  bool head_done = false;  // the blank line ending the head has arrived
  bool too_large = false;  // the head passed max_head_bytes

  // Counts `n` bytes just read; false once the head is too large.
  bool Count(const char* bytes, size_t n);
};

// A plain-HTTP (scheme "http") or TLS (scheme "https", certificates
// verified) client whose answer heads are bounded by `bound`, which must
// outlive the client.
std::unique_ptr<httplib::ClientImpl> MakeBoundedClient(const std::string& scheme,
                                                       const std::string& host, int port,
                                                       HeadBound* bound);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_BOUNDED_CLIENT_H_
