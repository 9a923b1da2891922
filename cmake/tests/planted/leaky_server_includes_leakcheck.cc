// The leaky server reaching up into leakcheck, the tool that must find its
// leak from outside: LayeringCheck.ScenariosLeakyServerUpward* must refuse it.
#include "core/base/json.h"
#include "scenarios/leakcheck/leakcheck.h"
