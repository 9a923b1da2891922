// A test sits above every layer: the walk must not read it.
#include "core/server/test_only_header.h"
