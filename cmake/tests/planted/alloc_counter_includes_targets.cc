// The allocation counter's page reaching up into the targets that map it:
// LayeringCheck.ScenariosAllocCounterUpward* must refuse it.
#include "scenarios/alloc_counter/alloc_page.h"
#include "scenarios/targets/target.h"
