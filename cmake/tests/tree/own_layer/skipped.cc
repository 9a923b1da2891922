// A subfolder that is a layer of its own (its CMakeLists.txt declares it)
// is checked against its own rule: the walk of its parent must not read it.
#include "core/server/test_only_header.h"
