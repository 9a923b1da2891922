#include "mock_provider/hostile_llm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/base/strings.h"

namespace goose::mock {
namespace {

struct ModeName {
  HostileMode mode;
  const char* name;
};
constexpr ModeName kModes[] = {
    {HostileMode::kEndlessText, "endless_text"},
    {HostileMode::kHugeDelta, "huge_delta"},
    {HostileMode::kNestedArguments, "nested_arguments"},
    {HostileMode::kNestedContent, "nested_content"},
    {HostileMode::kManyToolIndexes, "many_tool_indexes"},
    {HostileMode::kMaxTokens, "max_tokens"},
    {HostileMode::kPingOnly, "ping_only"},
    {HostileMode::kEndlessHeaders, "endless_headers"},
    {HostileMode::kNoNewline, "no_newline"},
};

constexpr size_t kMaxRequestBytes = 16 << 20;
constexpr std::string_view kSseHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
constexpr std::string_view kChunkPrefix =
    R"(data: {"id":"chatcmpl-hostile","object":"chat.completion.chunk","model":"hostile",)"
    R"("choices":[{"index":0,)";

// One chunk of a chunked body.
std::string Chunk(std::string_view piece) {
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
  std::string out = size;
  out.append(piece);
  out += "\r\n";
  return out;
}

std::string Frame(std::string_view delta_json, std::string_view finish) {
  std::string line(kChunkPrefix);
  line += "\"delta\":";
  line += delta_json;
  line += ",\"finish_reason\":";
  line += finish;
  line += "}]}\n\n";
  return line;
}

uint64_t SizeOr(uint64_t size, uint64_t fallback) { return size == 0 ? fallback : size; }

}  // namespace

Result<HostileMode> ParseHostileMode(std::string_view name) {
  std::string all;
  for (const ModeName& m : kModes) {
    if (name == m.name) return m.mode;
    AppendJoined(&all, ", ", m.name);
  }
  return InvalidArgument("unknown hostile mode \"" + std::string(name) + "\"; one of " + all);
}

std::string_view HostileModeName(HostileMode mode) {
  for (const ModeName& m : kModes) {
    if (m.mode == mode) return m.name;
  }
  return "unknown";
}

Result<std::unique_ptr<HostileLlm>> HostileLlm::Start(HostileLlmOptions options) {
  std::unique_ptr<HostileLlm> server(new HostileLlm(std::move(options)));
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status(StatusCode::kIoError, "hostile-llm: socket failed");
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server->options_.port));
  if (::inet_pton(AF_INET, server->options_.host.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("hostile-llm: bad host " + server->options_.host);
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.get(), SOMAXCONN) != 0) {
    return Status(StatusCode::kUnavailable, "hostile-llm: cannot listen on " +
                                                server->options_.host + ":" +
                                                std::to_string(server->options_.port));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  server->port_ = ntohs(addr.sin_port);
  server->listener_ = std::move(fd);
  HostileLlm* raw = server.get();
  server->acceptor_ = std::jthread([raw](std::stop_token stop) { raw->Accept(std::move(stop)); });
  return server;
}

HostileLlm::HostileLlm(HostileLlmOptions options) : options_(std::move(options)) {}

HostileLlm::~HostileLlm() { Stop(); }

std::string HostileLlm::base_url() const {
  return "http://" + options_.host + ":" + std::to_string(port_);
}

void HostileLlm::Stop() {
  acceptor_ = std::jthread();  // requests stop, joins
  std::vector<std::jthread> connections;
  {
    std::lock_guard<std::mutex> lock(mu_);
    connections.swap(connections_);
  }
  connections.clear();  // each sees its stop token within 100 ms
}

void HostileLlm::Accept(std::stop_token stop) {
  while (!stop.stop_requested()) {
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd.valid()) continue;
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> lock(mu_);
    connections_.emplace_back([this, sock = std::make_shared<UniqueFd>(std::move(fd))](
                                  std::stop_token s) { Serve(std::move(*sock), std::move(s)); });
  }
}

bool HostileLlm::Send(int fd, std::string_view bytes, const std::stop_token& stop) {
  while (!bytes.empty()) {
    if (stop.stop_requested()) return false;
    pollfd p{fd, POLLOUT, 0};
    const int r = ::poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) return false;
    if (r <= 0) continue;
    if (p.revents & (POLLERR | POLLHUP)) return false;
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    bytes_sent_.fetch_add(n);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void HostileLlm::Serve(UniqueFd fd, std::stop_token stop) {
  // Reads one request: its head, then its Content-Length body.
  std::string in;
  char buf[16 * 1024];
  size_t head_end = std::string::npos;
  size_t want = 0;
  while (!stop.stop_requested()) {
    if (head_end == std::string::npos) {
      head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t at = in.find("Content-Length: ");
        want = head_end + 4 +
               (at != std::string::npos && at < head_end
                    ? std::strtoul(in.c_str() + at + 16, nullptr, 10)
                    : 0);
      }
    }
    if (head_end != std::string::npos && in.size() >= want) break;
    if (in.size() > kMaxRequestBytes) return;
    pollfd p{fd.get(), POLLIN, 0};
    const int r = ::poll(&p, 1, 100);
    if (r <= 0) continue;
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) return;
    in.append(buf, static_cast<size_t>(n));
  }
  if (stop.stop_requested()) return;
  if (in.find("/chat/completions") == std::string::npos) {
    Send(fd.get(), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
         stop);
    return;
  }
  const bool stream = in.find("\"stream\":true") != std::string::npos;
  const int64_t seq = requests_.fetch_add(1);
  if (seq < options_.normal_replies ||
      (options_.hostile_replies > 0 && seq >= options_.normal_replies + options_.hostile_replies)) {
    Normal(fd.get(), stream, stop);
    return;
  }
  hostile_.fetch_add(1);
  Hostile(fd.get(), stop);
}

void HostileLlm::Normal(int fd, bool stream, const std::stop_token& stop) {
  constexpr std::string_view kText = "A normal answer.";
  if (!stream) {
    const std::string body =
        R"({"id":"chatcmpl-hostile","object":"chat.completion","model":"hostile","choices":[)"
        R"({"index":0,"message":{"role":"assistant","content":")" +
        std::string(kText) +
        R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,)"
        R"("total_tokens":2}})";
    Send(fd,
         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
         "Content-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body,
         stop);
    return;
  }
  std::string out(kSseHead);
  out += Chunk(Frame(R"({"role":"assistant","content":")" + std::string(kText) + "\"}", "null"));
  out += Chunk(Frame("{}", "\"stop\""));
  out += Chunk(R"(data: {"id":"chatcmpl-hostile","object":"chat.completion.chunk","choices":[],)"
               R"("usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})"
               "\n\n");
  out += Chunk("data: [DONE]\n\n");
  out += "0\r\n\r\n";
  Send(fd, out, stop);
}

bool HostileLlm::Within(uint64_t sent) const {
  return options_.max_bytes == 0 || sent < options_.max_bytes;
}

void HostileLlm::HeadOfSize(int fd, uint64_t size, const std::stop_token& stop) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
  const std::string line = "X-Pad: " + std::string(1000, 'h') + "\r\n";
  for (uint64_t sent = 0; sent < size; sent += line.size()) head += line;  // whole lines
  head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  Send(fd,
       head + Chunk(Frame(R"({"content":"a large head"})", "null")) +
           Chunk(Frame("{}", "\"stop\"")) + Chunk("data: [DONE]\n\n") + "0\r\n\r\n",
       stop);
}

void HostileLlm::Hostile(int fd, const std::stop_token& stop) {
  const uint64_t size = options_.size;
  switch (options_.mode) {
    case HostileMode::kEndlessText: {
      if (!Send(fd, kSseHead, stop)) return;
      const std::string delta =
          Chunk(Frame(R"({"content":")" + std::string(SizeOr(size, 100'000), 'a') + "\"}", "null"));
      for (uint64_t sent = 0; Within(sent) && Send(fd, delta, stop); sent += delta.size()) {
      }
      Send(fd, "0\r\n\r\n", stop);
      return;
    }
    case HostileMode::kHugeDelta: {
      if (!Send(fd, kSseHead, stop)) return;
      const std::string start = std::string(kChunkPrefix) + R"("delta":{"content":")";
      if (!Send(fd, Chunk(start), stop)) return;
      const std::string piece = Chunk(std::string(64 * 1024, 'b'));
      for (uint64_t sent = 0; sent < SizeOr(size, 256ull << 20); sent += 64 * 1024) {
        if (!Send(fd, piece, stop)) return;
      }
      Send(fd,
           Chunk("\"},\"finish_reason\":null}]}\n\n") + Chunk(Frame("{}", "\"stop\"")) +
               Chunk("data: [DONE]\n\n") + "0\r\n\r\n",
           stop);
      return;
    }
    case HostileMode::kNestedArguments:
    case HostileMode::kNestedContent: {
      const uint64_t depth = SizeOr(size, 300'000);
      if (!Send(fd, kSseHead, stop)) return;
      std::string start(kChunkPrefix);
      if (options_.mode == HostileMode::kNestedArguments) {
        start += R"("delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_deep",)"
                 R"("type":"function","function":{"name":"developer__shell","arguments":")";
      } else {
        start += R"("delta":{"content":"deep"},"finish_reason":null}],"extra":)";
      }
      if (!Send(fd, Chunk(start), stop)) return;
      const std::string open = Chunk(std::string(64 * 1024, '['));
      const std::string close = Chunk(std::string(64 * 1024, ']'));
      for (uint64_t d = 0; d < depth; d += 64 * 1024) {
        if (!Send(fd, d + 64 * 1024 <= depth ? open : Chunk(std::string(depth - d, '[')), stop))
          return;
      }
      for (uint64_t d = 0; d < depth; d += 64 * 1024) {
        if (!Send(fd, d + 64 * 1024 <= depth ? close : Chunk(std::string(depth - d, ']')), stop))
          return;
      }
      const std::string end = options_.mode == HostileMode::kNestedArguments
                                  ? "\"}}]},\"finish_reason\":null}]}\n\n"
                                  : "}\n\n";
      Send(fd,
           Chunk(end) +
               Chunk(Frame("{}", options_.mode == HostileMode::kNestedArguments ? "\"tool_calls\""
                                                                                : "\"stop\"")) +
               Chunk("data: [DONE]\n\n") + "0\r\n\r\n",
           stop);
      return;
    }
    case HostileMode::kManyToolIndexes: {
      if (!Send(fd, kSseHead, stop)) return;
      const uint64_t count = SizeOr(size, 200'000);
      std::string batch;
      for (uint64_t i = 0; i < count; ++i) {
        batch += Chunk(Frame(R"({"tool_calls":[{"index":)" + std::to_string(i) + R"(,"id":"call_)" +
                                 std::to_string(i) +
                                 R"(","type":"function","function":{"name":"developer__shell",)"
                                 R"("arguments":"{}"}}]})",
                             "null"));
        if (batch.size() > 64 * 1024) {
          if (!Send(fd, batch, stop)) return;
          batch.clear();
        }
      }
      batch += Chunk(Frame("{}", "\"tool_calls\"")) + Chunk("data: [DONE]\n\n") + "0\r\n\r\n";
      Send(fd, batch, stop);
      return;
    }
    case HostileMode::kMaxTokens: {
      const std::string max = std::to_string(std::numeric_limits<int64_t>::max());
      std::string out(kSseHead);
      out += Chunk(Frame(R"({"role":"assistant","content":"Counted to the end."})", "null"));
      out += Chunk(Frame("{}", "\"stop\""));
      // Twice: the counts of one answer are summed, and overflow at once.
      const std::string usage =
          Chunk(R"(data: {"id":"chatcmpl-hostile","object":"chat.completion.chunk",)"
                R"("choices":[],"usage":{"prompt_tokens":)" +
                max + R"(,"completion_tokens":)" + max + R"(,"total_tokens":)" + max + "}}\n\n");
      out += usage + usage;
      out += Chunk("data: [DONE]\n\n");
      out += "0\r\n\r\n";
      Send(fd, out, stop);
      return;
    }
    case HostileMode::kPingOnly: {
      if (!Send(fd, kSseHead, stop)) return;
      const std::string ping = Chunk(": ping\n\n");
      while (Send(fd, ping, stop)) {
        for (auto slept = std::chrono::milliseconds(0);
             slept < options_.interval && !stop.stop_requested();
             slept += std::chrono::milliseconds(10)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
      return;
    }
    case HostileMode::kEndlessHeaders: {
      if (size > 0) return HeadOfSize(fd, size, stop);
      if (!Send(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n", stop)) return;
      const std::string header = "X-Pad: " + std::string(1000, 'h') + "\r\n";
      for (uint64_t sent = 0; Within(sent) && Send(fd, header, stop); sent += header.size()) {
      }
      return;
    }
    case HostileMode::kNoNewline: {
      if (!Send(fd, std::string(kSseHead) + Chunk("data: "), stop)) return;
      const std::string piece = Chunk(std::string(64 * 1024, 'n'));
      for (uint64_t sent = 0; Within(sent) && Send(fd, piece, stop); sent += piece.size()) {
      }
      Send(fd, "0\r\n\r\n", stop);
      return;
    }
  }
}

}  // namespace goose::mock
