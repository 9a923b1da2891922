// The top of a folder walked as layer core/base (LayeringCheck.Subfolder*):
// allowed.
#include "core/base/status.h"
