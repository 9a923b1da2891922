// A base-layer file that reaches up into the server with <...>: a project
// header in either form is checked (LayeringCheck.AngleIncludeUpward*); the
// system headers beside it are not.
#include <core/server/api_routes.h>

#include <nlohmann/json.hpp>
#include <vector>
