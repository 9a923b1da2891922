// A base-layer file that reaches up into the server: the layering check
// must refuse it (LayeringCheck.UpwardIncludeIsRefused).
#include "core/base/status.h"
#include "core/server/api_routes.h"
