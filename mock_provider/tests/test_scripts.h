// Scripts from JSON literals, for tests.

#ifndef GOOSE_MOCK_PROVIDER_TESTS_TEST_SCRIPTS_H_
#define GOOSE_MOCK_PROVIDER_TESTS_TEST_SCRIPTS_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/base/json.h"
#include "mock_provider/script.h"

namespace goose::mock::testing {

// Parses a script literal; a test with a bad literal fails here.
inline Script MustParse(const std::string& json) {
  Result<Script> script = ParseScript(Json::parse(json), "test");
  EXPECT_TRUE(script.ok()) << script.status().ToString();
  return script.ok() ? std::move(script).value() : Script{};
}

}  // namespace goose::mock::testing

#endif  // GOOSE_MOCK_PROVIDER_TESTS_TEST_SCRIPTS_H_
