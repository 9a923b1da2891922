#include "core/model/session_id.h"

#include <gtest/gtest.h>

#include <set>

namespace goose {
namespace {

TEST(SessionIdTest, AcceptsUuidsAndGooseCliNames) {
  for (const char* id :
       {"3b241101-e2bb-4255-8caf-4136c566a962", "20250305_113223", "my.work", "a", "A-Z_0.9"}) {
    EXPECT_TRUE(ValidateSessionId(id).ok()) << id;
  }
  EXPECT_TRUE(ValidateSessionId(std::string(kMaxSessionIdLength, 'x')).ok());
}

TEST(SessionIdTest, RefusesWhatCouldLeaveTheDirectory) {
  struct Case {
    std::string id;
    const char* why;
  };
  for (const Case& c : std::vector<Case>{
           {"", "empty"},
           {std::string(kMaxSessionIdLength + 1, 'x'), "longer than"},
           {std::string("a\0b", 3), "NUL"},
           {"../x", "path separator"},
           {"a/b", "path separator"},
           {"a\\b", "path separator"},
           {"..", "\"..\""},
           {"x..y", "\"..\""},
           {".hidden", "start with '.'"},
           {".", "start with '.'"},
           {"sp ace", "may only contain"},
           {"new\nline", "may only contain"},
           {"caf\xc3\xa9", "may only contain"},
           {"%2e%2e", "may only contain"},
       }) {
    Status s = ValidateSessionId(c.id);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.id;
    EXPECT_NE(s.message().find(c.why), std::string::npos) << c.id << ": " << s.message();
  }
}

TEST(SessionIdTest, NewIdsAreValidDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewSessionId();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_TRUE(ValidateSessionId(id).ok());
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace goose
