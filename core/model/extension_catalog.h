// ExtensionCatalog: the extensions a server gives its sessions.
//
// /extensions/add, /extensions/remove and /extensions/list act on the
// catalog; every new (or rehydrated) session's agent gets a tool set made
// from it. See core/extensions/ for the stdio implementation.

#ifndef GOOSE_CORE_MODEL_EXTENSION_CATALOG_H_
#define GOOSE_CORE_MODEL_EXTENSION_CATALOG_H_

#include <memory>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/model/tool_set.h"

namespace goose {

class ExtensionCatalog {
 public:
  virtual ~ExtensionCatalog() = default;

  // Adds (or replaces) an extension from goose-api's /extensions/add body.
  // InvalidArgument for a bad config; an extension that cannot start is an
  // error naming the command and its stderr.
  virtual Status Add(const Json& config) = 0;
  // NotFound when no extension has that name.
  virtual Status Remove(const std::string& name) = 0;
  virtual std::vector<std::string> Names() const = 0;

  // A tool set with every configured extension, for one new agent. The
  // caller owns it; destroying it stops its extension processes.
  virtual Result<std::unique_ptr<ToolSet>> MakeToolSet(const std::string& session_id) = 0;

  // The server is stopping: an Add() in flight (waiting for its test
  // start) fails at once, later ones are refused. Never blocks.
  virtual void Shutdown() = 0;
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_EXTENSION_CATALOG_H_
