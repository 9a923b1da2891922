// Two folders down: still the layer's code, so the check must read it and
// refuse this upward include (LayeringCheck.SubfolderUpward*).
#include "core/server/api_routes.h"
