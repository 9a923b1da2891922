#include "scenarios/probe/process_probe.h"

#include <unistd.h>

#include "core/base/process_tree.h"

namespace goose::probe {

ProcessSample ProcessProbe::Sample() const {
  ProcessSample s;
  s.stats = ReadProcessStats(pid_);
  s.descendants = static_cast<int64_t>(Descendants(pid_ == 0 ? ::getpid() : pid_).size());
  return s;
}

}  // namespace goose::probe
