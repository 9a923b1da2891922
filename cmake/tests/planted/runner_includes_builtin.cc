// A scenarios/runner file that reaches up into the built-in scenarios the
// runner runs: LayeringCheck.ScenariosRunnerUpward* must refuse it.
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/runner/scenario.h"
