#include "core/model/session_lines.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/base/file_io.h"
#include "core/base/json.h"
#include "core/base/json_syntax.h"
#include "core/model/session_file.h"

namespace goose {
namespace {

constexpr size_t kReadBytes = 64 * 1024;
// A first line longer than this cannot be metadata (ReadSessionHeader
// refuses one): it is a message, copied like the others.
constexpr size_t kMaxMetadataLine = 1 << 20;

// Copies the lines of one file into *out, a piece at a time.
class LineCopier {
 public:
  LineCopier(std::string_view name, ByteQueue* out)
      : name_(name), out_(out), line_start_(out->size()) {}

  // The next bytes of the file.
  Status Feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const size_t nl = bytes.find('\n');
      Take(bytes.substr(0, nl));
      if (nl == std::string_view::npos) break;
      if (Status s = EndLine(); !s.ok()) return s;
      bytes.remove_prefix(nl + 1);
    }
    return Status::Ok();
  }

  // The end of the file: a last line without its newline is kept when it
  // is whole, and left out when it is an append cut short.
  Status Finish(StreamedSession* result) {
    if (deciding_first_ && !first_.empty()) {
      ++line_no_;
      Result<Json> json = JsonParse(first_, "the line");
      if (json.ok()) {
        if (Status s = DecideFirst(*json); !s.ok()) return s;
      } else {
        first_.clear();  // an append cut short
      }
    }
    if (!deciding_first_ && !blank_) {
      if (!bad_ && syntax_.Finish() && syntax_.top_is_object()) {
        ++messages_;
      } else {
        out_->Truncate(line_start_);  // an append cut short
      }
    }
    if (messages_ > 0 && out_->At(out_->size() - 1) == ',') out_->Truncate(out_->size() - 1);
    result->metadata = std::move(metadata_);
    result->messages = messages_;
    result->metadata.message_count = messages_;
    return Status::Ok();
  }

 private:
  void Take(std::string_view piece) {
    if (deciding_first_) {
      if (first_.size() + piece.size() <= kMaxMetadataLine) {
        first_.append(piece);
        return;
      }
      deciding_first_ = false;  // too long for metadata: a message
      const std::string first = std::move(first_);
      first_.clear();
      Take(first);
    }
    if (bad_ || piece.empty()) return;
    if (blank_) {
      const size_t content = piece.find_first_not_of(" \t\r");
      if (content == std::string_view::npos) return;  // nothing but blanks yet
      blank_ = false;
      piece.remove_prefix(content);
    }
    if (!syntax_.Feed(piece)) {
      bad_ = true;  // an error, unless this turns out to be a torn last line
      out_->Truncate(line_start_);
      return;
    }
    out_->Append(piece);
  }

  Status EndLine() {
    ++line_no_;
    if (deciding_first_) {
      if (first_.find_first_not_of(" \t\r") == std::string::npos) {
        first_.clear();
        return Status::Ok();
      }
      Result<Json> json = JsonParse(first_, "the line");
      if (!json.ok()) return SessionLineError(name_, line_no_, json.status());
      if (Status s = DecideFirst(*json); !s.ok()) return s;
      if (blank_) return Status::Ok();  // it was metadata
    }
    if (blank_) return Status::Ok();
    if (bad_ || !syntax_.Finish()) {
      return SessionLineError(name_, line_no_, InvalidArgument(syntax_.error()));
    }
    if (!syntax_.top_is_object()) {
      return SessionLineError(name_, line_no_, InvalidArgument("a message must be a JSON object"));
    }
    out_->Append(std::string_view(","));
    ++messages_;
    NextLine();
    return Status::Ok();
  }

  // The first non-blank line, whole and valid JSON: metadata, or (a goose
  // file without metadata) the first message, then copied like the rest.
  Status DecideFirst(const Json& json) {
    deciding_first_ = false;
    std::string line = std::move(first_);
    first_.clear();
    if (LooksLikeMessage(json)) {
      Take(line);
      return Status::Ok();
    }
    Result<SessionMetadata> metadata = MetadataFromJson(json);
    if (!metadata.ok()) return SessionLineError(name_, line_no_, metadata.status());
    metadata_ = std::move(metadata).value();
    return Status::Ok();
  }

  void NextLine() {
    line_start_ = out_->size();
    syntax_ = JsonSyntax(static_cast<size_t>(JsonDepthLimit()));
    blank_ = true;
    bad_ = false;
  }

  const std::string_view name_;
  ByteQueue* const out_;
  size_t line_no_ = 0;
  bool deciding_first_ = true;  // no non-blank line yet: metadata or not?
  std::string first_;           // that line, while deciding
  SessionMetadata metadata_;
  int64_t messages_ = 0;
  size_t line_start_;
  JsonSyntax syntax_{static_cast<size_t>(JsonDepthLimit())};
  bool blank_ = true;  // the line so far is blanks only
  bool bad_ = false;   // the line so far is not JSON
};

}  // namespace

Result<StreamedSession> AppendMessageLines(const std::filesystem::path& path, std::string_view name,
                                           ByteQueue* out) {
  Result<UniqueFd> fd = OpenSessionFile(path);
  if (!fd.ok()) return fd.status();
  StreamedSession result;
  struct stat st {};
  if (::fstat(fd->get(), &st) == 0) result.file_bytes = st.st_size;
  LineCopier copier(name, out);
  std::string buf(kReadBytes, '\0');
  for (;;) {
    const ssize_t n = ::read(fd->get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(ErrnoMessage("cannot read", path));
    if (n == 0) break;
    if (Status s = copier.Feed(std::string_view(buf.data(), static_cast<size_t>(n))); !s.ok()) {
      return s;
    }
  }
  if (Status s = copier.Finish(&result); !s.ok()) return s;
  return result;
}

}  // namespace goose
