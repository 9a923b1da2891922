// A hardening file that reaches into the leak gates' GoogleTest
// expectations, a test layer above the runner hardening builds on:
// LayeringCheck.HardeningUpward* must refuse it.
#include "hardening/gate_scenarios.h"
#include "scenarios/gates/gate_expectations.h"
