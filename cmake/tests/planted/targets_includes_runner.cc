// A scenarios/targets file that reaches up into the runner, which runs
// scenarios on targets: LayeringCheck.ScenariosTargetsUpward* must refuse it.
#include "scenarios/runner/scenario.h"
#include "scenarios/targets/target.h"
