// The gates reaching over into leakcheck's plan, a layer beside them, not
// below: LayeringCheck.ScenariosGatesUpward* must refuse it.
#include "scenarios/gates/gate_expectations.h"
#include "scenarios/leakcheck/plan.h"
