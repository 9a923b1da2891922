#include "core/model/session_store.h"

#include "core/model/session_file.h"

namespace goose {

SessionStore::SessionStore(std::filesystem::path dir, FsyncPolicy fsync)
    : dir_(std::move(dir)), writer_(&dir_, fsync) {}

Result<Session> SessionStore::Read(std::string_view id) const {
  Result<std::filesystem::path> path = dir_.PathFor(id);
  if (!path.ok()) return path.status();
  Result<std::string> bytes = ReadSessionFile(*path);
  if (!bytes.ok()) return bytes.status();
  return ParseSessionFile(*bytes, path->string());
}

Status SessionStore::Delete(std::string_view id) const {
  if (Status s = dir_.Remove(id); !s.ok()) return s;
  return writer_.SyncAfterRemove();
}

}  // namespace goose
