#include "scenarios/builtin/script_util.h"

#include <cstdio>
#include <cstdlib>

namespace goose::scenarios {

mock::Script ScenarioScript(std::string_view json) {
  Json parsed = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  const std::string name = parsed.is_object() ? parsed.value("name", "scenario") : "scenario";
  Result<mock::Script> script = mock::ParseScript(parsed, name);
  if (!script.ok()) {
    std::fprintf(stderr, "scenario script %s: %s\n", name.c_str(),
                 script.status().ToString().c_str());
    std::abort();
  }
  return *std::move(script);
}

}  // namespace goose::scenarios
