// A probe (what the gates measure with) reaching up into the runner that
// uses it: LayeringCheck.ScenariosProbeUpward* must refuse it.
#include "core/base/json.h"
#include "scenarios/probe/growth.h"
#include "scenarios/runner/judge.h"
