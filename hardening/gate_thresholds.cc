// The heap thresholds of the hardening gates. Read docs/leak-gates.md for
// how a threshold is judged (the lower 99% bound of the heap's Theil-Sen
// slope, bytes per measured iteration) and docs/reliability.md, "The
// hardening gates", for the runs behind these values.

#include "hardening/gate_thresholds.h"

#include <array>

namespace goose::hardening {
namespace {

using scenarios::ThresholdRow;

// Each threshold sits above every clean run's upper 99% bound and below
// what its retain_heap canary (64 bytes kept per request that reaches a
// handler) grows by: a quarter of it or less for bad_input (1024 of ~4 KiB)
// and load (512 of ~7 KiB), but 256 of ~0.9 KiB, more than a quarter, for
// provider_faults, whose clean bounds reach 176 B (a fresh server per
// fault) and leave no room below. The runs are in docs/reliability.md,
// "The hardening gates". bad_input: a new worker thread drawing its first
// session id gets OpenSSL's ~3 KiB per-thread DRBG, so steps of ~3 KiB land
// at random iterations until all 16 workers have drawn.
constexpr std::array kRows = {
    ThresholdRow{"bad_input",
                 "*",
                 {1024,
                  "clean runs measured 99% bounds of -245..368 B/iteration (new workers' OpenSSL "
                  "DRBGs land at random iterations); retain_heap grows ~4 KiB/iteration (~42 "
                  "requests)"}},
    ThresholdRow{"load",
                 "*",
                 {512,
                  "clean runs measured 99% bounds of 0..164 B/iteration; retain_heap grows ~7 KiB/"
                  "iteration (96 requests), so 512 B is under 6 B per request"}},
    ThresholdRow{"provider_faults",
                 "*",
                 {256,
                  "clean runs measured 99% bounds of -131..176 B/iteration (a fresh server per "
                  "fault); retain_heap grows ~0.9 KiB/iteration (11 requests)"}},
};

}  // namespace

std::span<const scenarios::ThresholdRow> GateThresholds() { return kRows; }

}  // namespace goose::hardening
