// The HTML report reaching up into leakcheck, which renders through it:
// LayeringCheck.ScenariosReportUpward* must refuse it.
#include "scenarios/leakcheck/report.h"
#include "scenarios/report/html_report.h"
