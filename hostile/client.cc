#include "hostile/client.h"

#include <brotli/encode.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <sstream>
#include <thread>

#include "core/base/loopback.h"

namespace goose::hostile {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kAnswerCap = 64 * 1024;
// How long an attack waits for the answer once the server stopped reading.
constexpr milliseconds kAnswerWait{5'000};

// Connected, and non-blocking: every wait of an attack is a poll() of its own.
UniqueFd Connect(int port) {
  Result<UniqueFd> connected = ConnectLoopback(port);
  if (!connected.ok()) return UniqueFd();
  UniqueFd fd = std::move(*connected);
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  return fd;
}

// Reads what the server sends until it closes or `wait` passes.
void ReadAnswer(int fd, milliseconds wait, Outcome* out) {
  std::string got;
  const Clock::time_point deadline = Clock::now() + wait;
  char buf[16 * 1024];
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      out->closed = true;
      break;
    }
    if (got.size() < kAnswerCap) got.append(buf, static_cast<size_t>(n));
    // A whole answer with a Content-Length: no need to wait for the close.
    const size_t head_end = got.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const size_t at = got.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) {
        const size_t length = std::strtoul(got.c_str() + at + 16, nullptr, 10);
        if (got.size() >= head_end + 4 + length) break;
      }
    }
  }
  if (got.rfind("HTTP/1.", 0) == 0 && got.size() >= 12) {
    out->status = std::atoi(got.c_str() + 9);
    const size_t body = got.find("\r\n\r\n");
    if (body != std::string::npos) out->body = got.substr(body + 4);
  }
}

// Sends `head`, then what `next` produces (an empty piece ends the attack),
// until the server answers or closes, or a bound is reached. Returns what
// happened.
Outcome Run(int port, const std::string& head,
            const std::function<std::string_view(uint64_t sent)>& next, uint64_t max_bytes,
            milliseconds max_time) {
  Outcome out;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + max_time;
  UniqueFd fd = Connect(port);
  if (!fd.valid()) {
    out.closed = true;
    return out;
  }
  std::string_view piece = head;
  bool finished = false;  // the attack has nothing more to send
  while (!finished) {
    if (piece.empty()) {
      if (out.bytes_sent >= max_bytes) break;
      piece = next(out.bytes_sent);
      if (piece.empty()) break;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd.get(), POLLIN | POLLOUT, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) break;  // the server spoke or closed
    const ssize_t n = ::send(fd.get(), piece.data(), piece.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      out.closed = true;  // reset by the server
      break;
    }
    out.bytes_sent += static_cast<uint64_t>(n);
    piece.remove_prefix(static_cast<size_t>(n));
  }
  ReadAnswer(fd.get(), kAnswerWait, &out);
  out.took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return out;
}

std::string KeyHeader(const Victim& victim, bool keyed) {
  return keyed && !victim.api_key.empty() ? "x-api-key: " + victim.api_key + "\r\n" : "";
}

// A fixed piece repeated: the generator of most attacks.
std::function<std::string_view(uint64_t)> Repeat(std::string piece) {
  return [piece = std::move(piece)](uint64_t) { return std::string_view(piece); };
}

// Streams `inflated` zero bytes through a compressor, collecting its output.
std::string CompressZeros(Encoding encoding, uint64_t inflated) {
  std::string out;
  const std::string zeros(1 << 20, '\0');
  if (encoding == Encoding::kBrotli) {
    BrotliEncoderState* s = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, 5);
    uint8_t buf[1 << 16];
    uint64_t left = inflated;
    for (;;) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(left, zeros.size()));
      left -= take;
      const BrotliEncoderOperation op =
          left == 0 ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS;
      size_t avail_in = take;
      const uint8_t* next_in = reinterpret_cast<const uint8_t*>(zeros.data());
      do {
        size_t avail_out = sizeof buf;
        uint8_t* next_out = buf;
        BrotliEncoderCompressStream(s, op, &avail_in, &next_in, &avail_out, &next_out, nullptr);
        out.append(reinterpret_cast<char*>(buf), sizeof buf - avail_out);
      } while (avail_in > 0 || BrotliEncoderHasMoreOutput(s) ||
               (op == BROTLI_OPERATION_FINISH && !BrotliEncoderIsFinished(s)));
      if (left == 0) break;
    }
    BrotliEncoderDestroyInstance(s);
    return out;
  }
  z_stream z{};
  // gzip: windowBits 15 + 16; HTTP "deflate" is the zlib format.
  deflateInit2(&z, 9, Z_DEFLATED, encoding == Encoding::kGzip ? 31 : 15, 9, Z_DEFAULT_STRATEGY);
  uint64_t left = inflated;
  unsigned char buf[1 << 16];
  do {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(left, zeros.size()));
    left -= take;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(take);
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = buf;
      z.avail_out = sizeof buf;
      deflate(&z, flush);
      out.append(reinterpret_cast<char*>(buf), sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
  } while (left > 0);
  deflateEnd(&z);
  return out;
}

}  // namespace

std::string Outcome::ToString() const {
  std::ostringstream s;
  if (status >= 0) {
    s << "answered " << status;
  } else {
    s << (closed ? "closed without an answer" : "no answer");
  }
  s << " after " << bytes_sent << " bytes sent in " << took.count() << " ms";
  if (answers > 0) s << ", " << answers << " answers";
  if (reset) s << ", reset";
  if (!body.empty()) s << ": " << body.substr(0, 200);
  return s.str();
}

Outcome ChunkedBodyWithoutEnd(const Victim& victim, bool keyed, uint64_t max_bytes,
                              milliseconds max_time) {
  const std::string head = "POST /session/start HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                           KeyHeader(victim, keyed) +
                           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
  return Run(victim.port, head, Repeat(std::move(chunk)), max_bytes, max_time);
}

const char* EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kGzip:
      return "gzip";
    case Encoding::kDeflate:
      return "deflate";
    case Encoding::kBrotli:
      return "br";
  }
  return "gzip";
}

std::string BombBody(Encoding encoding, uint64_t inflated_bytes) {
  return CompressZeros(encoding, inflated_bytes);
}

Outcome CompressionBomb(const Victim& victim, Encoding encoding, const std::string& body) {
  const std::string head =
      "POST /session/start HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true) +
      "Content-Type: application/json\r\nContent-Encoding: " + EncodingName(encoding) +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  bool sent = false;
  return Run(
      victim.port, head,
      [&](uint64_t) {
        if (sent) return std::string_view();
        sent = true;
        return std::string_view(body);
      },
      UINT64_MAX, milliseconds(30'000));
}

Outcome PostWithoutLength(const Victim& victim, uint64_t max_bytes, milliseconds max_time) {
  const std::string head = "POST /session/start HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                           KeyHeader(victim, true) + "Content-Type: application/json\r\n\r\n";
  return Run(victim.port, head, Repeat(std::string(0x10000, ' ')), max_bytes, max_time);
}

Outcome RequestLineWithoutEnd(const Victim& victim, uint64_t max_bytes, milliseconds max_time) {
  return Run(victim.port, "GET /", Repeat(std::string(0x10000, 'a')), max_bytes, max_time);
}

Outcome HeaderWithoutEnd(const Victim& victim, uint64_t max_bytes, milliseconds max_time) {
  const std::string head = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Endless: ";
  return Run(victim.port, head, Repeat(std::string(0x10000, 'h')), max_bytes, max_time);
}

Outcome ManyHeaders(const Victim& victim, uint64_t count, milliseconds max_time) {
  const std::string head = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  std::string block;
  for (int i = 0; i < 1000; ++i) block += "X-A: b\r\n";  // 8 bytes a header
  return Run(victim.port, head, Repeat(std::move(block)), count * 8, max_time);
}

Outcome SlowTrickle(const Victim& victim, milliseconds interval, milliseconds max_time) {
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                              KeyHeader(victim, true) + "X-Padding: " + std::string(200, 'p') +
                              "\r\n\r\n";
  size_t at = 0;
  return Run(
      victim.port, "",
      [&](uint64_t) {
        if (at >= request.size()) return std::string_view();
        if (at > 0) std::this_thread::sleep_for(interval);
        return std::string_view(request).substr(at++, 1);
      },
      UINT64_MAX, max_time);
}

Outcome DeepJson(const Victim& victim, uint64_t depth) {
  const std::string head =
      "POST /session/start HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true) +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(2 * depth) + "\r\n\r\n";
  const std::string open(0x10000, '['), close(0x10000, ']');
  return Run(
      victim.port, head,
      [&](uint64_t sent) {
        const uint64_t body = sent - head.size();
        const std::string& side = body < depth ? open : close;
        const uint64_t edge = body < depth ? depth : 2 * depth;
        return std::string_view(side).substr(
            0, static_cast<size_t>(std::min<uint64_t>(side.size(), edge - body)));
      },
      head.size() + 2 * depth, milliseconds(30'000));
}

Outcome WideJson(const Victim& victim, uint64_t bytes) {
  // {"prompt":"wide","pad":{"k0000000":0,"k0000001":0,...}}: 13 bytes a
  // member with its comma.
  const std::string open = R"({"prompt":"wide","pad":{)";
  const uint64_t members = (bytes - open.size() - 2) / 13;
  const uint64_t length = open.size() + members * 13 - 1 + 2;
  const std::string head =
      "POST /session/start HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true) +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n" +
      open;
  uint64_t member = 0;
  std::string piece;
  return Run(
      victim.port, head,
      [&](uint64_t) {
        piece.clear();
        if (member > members) return std::string_view();
        for (int i = 0; i < 4096 && member < members; ++i, ++member) {
          char m[32];
          std::snprintf(m, sizeof m, "\"k%07llu\":0%s", static_cast<unsigned long long>(member),
                        member + 1 < members ? "," : "");
          piece += m;
        }
        if (member == members) {
          piece += "}}";
          ++member;
        }
        return std::string_view(piece);
      },
      UINT64_MAX, milliseconds(30'000));
}

const char* MisframingName(Misframing misframing) {
  switch (misframing) {
    case Misframing::kTwoLengths:
      return "two_lengths";
    case Misframing::kFoldedLine:
      return "folded_line";
    case Misframing::kBareLineFeeds:
      return "bare_line_feeds";
  }
  return "?";
}

Outcome Misframed(const Victim& victim, Misframing misframing) {
  std::string request;
  switch (misframing) {
    case Misframing::kTwoLengths: {
      // A server that takes the first length reads this body; one that takes
      // the second reads 5 bytes and then a smuggled next request.
      const std::string body = R"({"prompt":"which length?"})";
      request = "POST /session/start HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true) +
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\nContent-Length: 5\r\n\r\n" + body;
      break;
    }
    case Misframing::kFoldedLine:
      request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true) +
                "X-Folded: one\r\n two\r\n\r\n";
      break;
    case Misframing::kBareLineFeeds:
      request = "GET /metrics HTTP/1.1\nHost: 127.0.0.1\n" +
                (victim.api_key.empty() ? std::string() : "x-api-key: " + victim.api_key + "\n") +
                "\n";
      break;
  }
  return Run(
      victim.port, request, [](uint64_t) { return std::string_view(); }, UINT64_MAX, kAnswerWait);
}

Outcome PipelinedBurst(const Victim& victim, int count, milliseconds max_time) {
  Outcome out;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + max_time;
  UniqueFd fd = Connect(victim.port);
  if (!fd.valid()) {
    out.closed = true;
    return out;
  }
  const std::string request =
      "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true) + "\r\n";
  constexpr std::string_view kStatusLine = "HTTP/1.1 ";
  int to_send = count;
  std::string_view piece;
  std::string tail;  // the end of what was read, for a status line split between reads
  char buf[16 * 1024];
  while (Clock::now() < deadline) {
    if (piece.empty() && to_send > 0) {
      piece = request;
      --to_send;
    }
    pollfd p{fd.get(), static_cast<short>(POLLIN | (piece.empty() ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) {
        out.reset = errno == ECONNRESET;
        out.closed = true;
        break;
      }
      if (n == 0) {
        out.closed = true;
        break;
      }
      tail.append(buf, static_cast<size_t>(n));
      for (size_t at = tail.find(kStatusLine); at != std::string::npos;
           at = tail.find(kStatusLine, at + 1)) {
        if (out.answers == 0) out.status = std::atoi(tail.c_str() + at + kStatusLine.size());
        ++out.answers;
      }
      // Keep what could be the start of a status line cut by this read.
      tail.erase(0, tail.size() > kStatusLine.size() ? tail.size() - kStatusLine.size() + 1 : 0);
      continue;
    }
    if (!piece.empty() && (p.revents & POLLOUT)) {
      const ssize_t n = ::send(fd.get(), piece.data(), piece.size(), MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) continue;  // the server stopped reading; its answers may still come
      out.bytes_sent += static_cast<uint64_t>(n);
      piece.remove_prefix(static_cast<size_t>(n));
    }
  }
  out.took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return out;
}

ConnectionFlood::ConnectionFlood(const Victim& victim, size_t connections) {
  sockets_.reserve(connections);
  for (size_t i = 0; i < connections; ++i) {
    UniqueFd fd = Connect(victim.port);
    if (!fd.valid()) continue;
    sockets_.push_back(std::move(fd));
    ++opened_;
  }
}

ConnectionFlood::~ConnectionFlood() = default;

size_t ConnectionFlood::ClosedByServer() {
  size_t closed = 0;
  char buf[4096];
  for (UniqueFd& fd : sockets_) {
    if (!fd.valid()) {
      ++closed;
      continue;
    }
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      fd.Reset();
      ++closed;
    }
  }
  return closed;
}

void ConnectionFlood::TrickleOnce() {
  // One more byte of a request line that never ends.
  for (UniqueFd& fd : sockets_) {
    if (fd.valid()) (void)::send(fd.get(), "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
}

std::string KeyedPost(const Victim& victim, const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true) +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::string KeyedGetOfHeadSize(const Victim& victim, const std::string& path, size_t head_bytes) {
  std::string head = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KeyHeader(victim, true);
  // The server measures a head up to its "\r\n\r\n": all but the last
  // line's CRLF. Pad lines ("x-pad: " + value + CRLF, 9 bytes and more) of
  // at most 1 KiB; the last two share what is left, so none is shorter.
  const size_t whole = head_bytes + 2;
  while (head.size() < whole) {
    const size_t left = whole - head.size();
    const size_t line = left > 2048 ? 1024 : (left > 1024 ? left / 2 : left);
    head += "x-pad: " + std::string(line - 9, 'p') + "\r\n";
  }
  return head + "\r\n";
}

SlowReaders::SlowReaders(const Victim& victim, size_t count, const std::string& request) {
  for (size_t i = 0; i < count; ++i) {
    Result<UniqueFd> fd = ConnectLoopback(victim.port, /*receive_buffer=*/4096);
    if (!fd.ok() || !SendAll(fd->get(), request)) continue;
    sockets_.push_back(std::move(fd).value());
    heads_.emplace_back();
    statuses_.push_back(-1);
  }
}

SlowReaders::~SlowReaders() = default;

void SlowReaders::Sip(size_t bytes) {
  char buf[4096];
  for (size_t i = 0; i < sockets_.size(); ++i) {
    size_t left = bytes;
    while (left > 0 && sockets_[i].valid()) {
      const ssize_t n = ::recv(sockets_[i].get(), buf, std::min(left, sizeof buf), MSG_DONTWAIT);
      if (n <= 0) break;
      left -= static_cast<size_t>(n);
      if (heads_[i].size() < 16) heads_[i].append(buf, static_cast<size_t>(n));
    }
    if (statuses_[i] < 0 && heads_[i].rfind("HTTP/1.", 0) == 0 && heads_[i].size() >= 12) {
      statuses_[i] = std::atoi(heads_[i].c_str() + 9);
    }
  }
}

Outcome LargeAnswer(const Victim& victim, const std::string& request, milliseconds max_time) {
  Outcome out;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + max_time;
  UniqueFd fd = Connect(victim.port);
  if (!fd.valid() || ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
                         static_cast<ssize_t>(request.size())) {
    out.closed = true;
    return out;
  }
  out.bytes_sent = request.size();
  std::string head;  // the first bytes, up to the body's first 64 KiB
  uint64_t expected = UINT64_MAX;
  char buf[64 * 1024];
  while (out.bytes_received < expected && Clock::now() < deadline) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.bytes_received += static_cast<uint64_t>(n);
    if (head.size() < kAnswerCap) head.append(buf, static_cast<size_t>(n));
    const size_t head_end = head.find("\r\n\r\n");
    if (expected == UINT64_MAX && head_end != std::string::npos) {
      const size_t at = head.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) {
        expected = head_end + 4 + std::strtoull(head.c_str() + at + 16, nullptr, 10);
      }
    }
  }
  if (head.rfind("HTTP/1.", 0) == 0 && head.size() >= 12) {
    out.status = std::atoi(head.c_str() + 9);
    const size_t body = head.find("\r\n\r\n");
    if (body != std::string::npos) out.body = head.substr(body + 4);
  }
  out.took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return out;
}

void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace goose::hostile
