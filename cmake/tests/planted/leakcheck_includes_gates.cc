// leakcheck reaching over into the gates' expectations, a layer beside it,
// not below: LayeringCheck.ScenariosLeakcheckUpward* must refuse it.
#include "scenarios/gates/gate_expectations.h"
#include "scenarios/leakcheck/plan.h"
