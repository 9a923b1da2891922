// The diff of two heap profiles of a server under test.
//
// `leakcheck profile` takes one profile before and one after the measured
// iterations (Target::DumpHeapProfile: goose-api from a heapprof build
// serves GET /debug/heap, as Go servers serve /debug/pprof/heap; another
// program gets gperftools' profiler preloaded) and asks google-pprof what
// grew between them, by allocation site.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_HEAP_DIFF_H_
#define GOOSE_SCENARIOS_LEAKCHECK_HEAP_DIFF_H_

#include <filesystem>
#include <string>

#include "core/base/status.h"

namespace goose::leakcheck {

struct HeapDiff {
  std::string top_sites;            // "Total:" and the top growing sites
  std::filesystem::path text_file;  // the whole `google-pprof --text` output
  std::filesystem::path svg_file;   // empty when dot or --svg was not available
};

// Writes heap-before-<scenario>.heap and heap-after-<scenario>.heap into
// `dir`, then runs `google-pprof --text --show_bytes --base=before
// <binary> after` (into heap-growth-<scenario>.txt) and, when `dot` is
// installed, `--svg` (heap-growth-<scenario>.svg). Errors name what
// failed; a missing google-pprof says how to install it.
Result<HeapDiff> DiffHeapProfiles(const std::filesystem::path& dir, const std::string& scenario,
                                  const std::string& binary, const std::string& before,
                                  const std::string& after);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_HEAP_DIFF_H_
