// Per request, as leaks are: a call script's iteration is as many requests
// as it lists. The measured clean runs and the canaries are in
// docs/leakcheck.md, "MCP servers".

#include "scenarios/mcp/mcp_thresholds.h"

#include <array>

namespace goose::scenarios {
namespace {

constexpr std::array kRows = {
    // V8's used heap after a forced full collection (the node probe) keeps
    // a small drift after the 200-iteration warm-up, in every server
    // measured: 18 B per request in a standard-library echo server (no
    // SDK), 19 B in server-everything after 300 iterations, 45-65 B in
    // server-memory (whose every call reads and rewrites its graph file).
    // A 256-byte string kept per call shows as ~450 B per request. 128 B
    // per request sits twice above the highest clean drift and 3.5 times
    // below that leak (docs/leakcheck.md, "MCP servers").
    ThresholdRow{"*",
                 "v8",
                 {128,
                  "V8's used heap after a full collection, 128 B per request: clean servers "
                  "drift 18-65 B per request after the warm-up; a 256-byte string kept per call "
                  "shows as ~450 B",
                  /*per_request=*/true}},
    // Live malloc bytes (the preloaded counter), exact: as for any server
    // watched from outside, a third of the smallest leak worth finding.
    ThresholdRow{"*",
                 "malloc",
                 {32,
                  "live malloc bytes (the preloaded allocation counter), 32 B per request: "
                  "clean servers measured flat, and 64 B per call must be caught",
                  /*per_request=*/true}},
};

}  // namespace

std::span<const ThresholdRow> McpThresholds() { return kRows; }

}  // namespace goose::scenarios
