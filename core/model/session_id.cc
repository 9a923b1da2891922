#include "core/model/session_id.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <random>

namespace goose {
namespace {
bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}
}  // namespace

Status ValidateSessionId(std::string_view id) {
  if (id.empty()) return InvalidArgument("session id is empty");
  if (id.size() > kMaxSessionIdLength) {
    return InvalidArgument("session id is longer than " + std::to_string(kMaxSessionIdLength) +
                           " characters");
  }
  if (id.find('\0') != std::string_view::npos) return InvalidArgument("session id contains NUL");
  if (id.find('/') != std::string_view::npos || id.find('\\') != std::string_view::npos) {
    return InvalidArgument("session id must not contain a path separator");
  }
  if (id.find("..") != std::string_view::npos)
    return InvalidArgument("session id must not contain \"..\"");
  if (id.front() == '.') return InvalidArgument("session id must not start with '.'");
  for (char c : id) {
    if (!IsIdChar(c)) {
      return InvalidArgument("session id may only contain letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

std::string NewSessionId() {
  // The kernel's generator (getrandom): no state per thread. OpenSSL's
  // RAND_bytes kept a 3.5 KiB generator in every thread that ever made an
  // id, which the heap gates saw as growth while requests moved between
  // the server's workers.
  std::array<unsigned char, 16> b{};
  ssize_t got = 0;
  do {
    got = ::getrandom(b.data(), b.size(), 0);
  } while (got < 0 && errno == EINTR);
  if (got != static_cast<ssize_t>(b.size())) {
    std::random_device rd;  // a kernel without getrandom(2)
    for (auto& byte : b) byte = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::array<char, 37> out{};
  std::snprintf(out.data(), out.size(),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return std::string(out.data(), 36);
}

}  // namespace goose
