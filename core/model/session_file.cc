#include "core/model/session_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <vector>

#include "core/base/failpoint.h"
#include "core/base/file_io.h"
#include "core/base/unique_fd.h"
#include "core/model/message_writer.h"

namespace goose {
namespace fs = std::filesystem;
namespace {

// Splits into lines, dropping a trailing '\r' from each.
std::vector<std::string_view> Lines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view line = bytes.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    bytes.remove_prefix(nl + 1);
  }
  return lines;
}

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

}  // namespace

Status SessionLineError(std::string_view name, size_t line_no, const Status& cause) {
  return DataLoss(std::string(name) + " line " + std::to_string(line_no) + ": " + cause.message());
}

Result<UniqueFd> OpenSessionFile(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return NotFound("session file " + path.string() + " does not exist");
    return IoError(ErrnoMessage("cannot open", path));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError(ErrnoMessage("cannot stat", path));
  if (!S_ISREG(st.st_mode)) return DataLoss(path.string() + " is not a regular file");
  // Waits out an append in progress (writers hold LOCK_EX for
  // microseconds). Without flock support the read goes ahead; the parser
  // still drops a torn last line.
  while (::flock(fd.get(), LOCK_SH) != 0 && errno == EINTR) {
  }
  return fd;
}

std::string MessageLine(const Message& message) {
  std::string line;
  if (FailpointOn(Failpoint::kMessageDom)) {
    line = JsonDump(MessageToJson(message));  // the old path: a DOM per message
  } else {
    WriteMessageJson(message, &line);
  }
  line += '\n';
  return line;
}

std::string MetadataLine(const Session& session, bool pad) {
  std::string line;
  line.reserve(kMetadataSlot);
  const auto count = static_cast<int64_t>(session.messages.size());
  if (FailpointOn(Failpoint::kMessageDom)) {
    SessionMetadata metadata = session.metadata;  // the old path: a DOM per line
    metadata.message_count = count;
    line = JsonDump(MetadataToJson(metadata));
  } else {
    WriteMetadataJson(session.metadata, count, &line);
  }
  if (pad && line.size() < kMetadataSlot) line.resize(kMetadataSlot - 1, ' ');
  line += '\n';
  return line;
}

size_t LineHash(std::string_view line) {
  const size_t h = std::hash<std::string_view>{}(line);
  return h == 0 ? 1 : h;
}

std::string SerializeSession(const Session& session) {
  std::string out = MetadataLine(session, /*pad=*/false);
  for (const Message& m : session.messages) out += MessageLine(m);
  return out;
}

Result<Session> ParseSessionFile(std::string_view bytes, std::string_view name) {
  Session session;
  bool first = true;
  bool have_metadata = false;
  size_t line_no = 0;
  const std::vector<std::string_view> lines = Lines(bytes);
  const bool unterminated = !bytes.empty() && bytes.back() != '\n';
  for (std::string_view line : lines) {
    ++line_no;
    if (IsBlank(line)) continue;
    Result<Json> json = JsonParse(line, "the line");
    if (!json.ok()) {
      // An append cut short by a crash (see the header); the reply that
      // wrote it never answered.
      if (unterminated && line_no == lines.size()) break;
      return SessionLineError(name, line_no, json.status());
    }
    if (first && !LooksLikeMessage(*json)) {
      Result<SessionMetadata> metadata = MetadataFromJson(*json);
      if (!metadata.ok()) return SessionLineError(name, line_no, metadata.status());
      session.metadata = std::move(metadata).value();
      have_metadata = true;
    } else {
      Result<Message> message = MessageFromJson(*json);
      if (!message.ok()) return SessionLineError(name, line_no, message.status());
      session.messages.push_back(std::move(message).value());
    }
    first = false;
  }
  if (!have_metadata ||
      session.metadata.message_count != static_cast<int64_t>(session.messages.size())) {
    session.metadata.message_count = static_cast<int64_t>(session.messages.size());
  }
  return session;
}

Result<std::string> ReadSessionFile(const fs::path& path) {
  Result<UniqueFd> fd = OpenSessionFile(path);
  if (!fd.ok()) return fd.status();
  return ReadAll(fd->get(), path);
}

Result<SessionHeader> ReadSessionHeader(const fs::path& path, size_t max_line) {
  Result<UniqueFd> fd = OpenSessionFile(path);
  if (!fd.ok()) return fd.status();
  // The first line, read in pieces until its newline.
  std::string first;
  char buf[4096];
  bool complete = false;
  while (!complete) {
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(ErrnoMessage("cannot read", path));
    if (n == 0) break;
    std::string_view got(buf, static_cast<size_t>(n));
    size_t nl = got.find('\n');
    if (nl != std::string_view::npos) {
      got = got.substr(0, nl);
      complete = true;
    }
    if (first.size() + got.size() > max_line) {
      return DataLoss(path.string() + " line 1: longer than " + std::to_string(max_line) +
                      " bytes");
    }
    first.append(got);
  }
  if (!first.empty() && first.back() == '\r') first.pop_back();
  Result<Json> json = JsonParse(first, "metadata");
  if (!json.ok()) return SessionLineError(path.string(), 1, json.status());
  SessionHeader header;
  if (LooksLikeMessage(*json)) {
    // No metadata line: every non-blank line is a message.
    if (::lseek(fd->get(), 0, SEEK_SET) != 0) return IoError(ErrnoMessage("cannot seek", path));
    Result<std::string> bytes = ReadAll(fd->get(), path);
    if (!bytes.ok()) return bytes.status();
    for (std::string_view line : Lines(*bytes)) header.message_count += IsBlank(line) ? 0 : 1;
    return header;
  }
  Result<SessionMetadata> metadata = MetadataFromJson(*json);
  if (!metadata.ok()) return SessionLineError(path.string(), 1, metadata.status());
  header.description = metadata->description;
  header.message_count = metadata->message_count;
  return header;
}

}  // namespace goose
