#include "core/model/session_id.h"

#include <openssl/rand.h>

#include <array>
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
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // OpenSSL's generator failed (no entropy source); fall back to the OS.
    std::random_device rd;
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
