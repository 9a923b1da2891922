#include "scenarios/lib/script_util.h"

#include <cstdio>
#include <cstdlib>

namespace goose::scenarios {

mock::Script ScenarioScript(std::string_view json, std::string_view name) {
  Json parsed = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  Result<mock::Script> script = mock::ParseScript(parsed, name);
  if (!script.ok()) {
    std::fprintf(stderr, "scenario script %.*s: %s\n", static_cast<int>(name.size()), name.data(),
                 script.status().ToString().c_str());
    std::abort();
  }
  return *std::move(script);
}

}  // namespace goose::scenarios
