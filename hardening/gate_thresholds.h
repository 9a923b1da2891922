// The heap thresholds of the hardening gates (gate_scenarios.h), with the
// reason for each value in gate_thresholds.cc. Each scenario carries them
// as its own rows (ScenarioInfo::heap_thresholds), which the runner reads
// before the built-in table of scenarios/runner/thresholds.cc: the gates
// are defined here, so their thresholds live beside them.

#ifndef GOOSE_HARDENING_GATE_THRESHOLDS_H_
#define GOOSE_HARDENING_GATE_THRESHOLDS_H_

#include <span>

#include "scenarios/runner/thresholds.h"

namespace goose::hardening {

// The rows of bad_input, load and provider_faults, every heap backend.
std::span<const scenarios::ThresholdRow> GateThresholds();

}  // namespace goose::hardening

#endif  // GOOSE_HARDENING_GATE_THRESHOLDS_H_
