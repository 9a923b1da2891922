// A scenarios/builtin file that reaches up into leakcheck, which runs the
// built-in scenarios: LayeringCheck.ScenariosBuiltinUpward* must refuse it.
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/leakcheck/scenario_support.h"
