#include "core/server/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <utility>

#include "core/base/file_io.h"
#include "core/server/api_key.h"
#include "harness/test_util.h"

namespace goose {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  EnvLookup Env() {
    return [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
  }
  std::map<std::string, std::string> env_ = {{"HOME", "/home/u"}, {"GOOSE_API_KEY", "k"}};
};

TEST_F(ConfigTest, Defaults) {
  Result<ServerConfig> c = LoadServerConfig(Env(), "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->stack.http.host, "127.0.0.1");
  EXPECT_EQ(c->stack.http.port, 8080);
  EXPECT_EQ(c->stack.registry.ttl, std::chrono::hours(1));
  EXPECT_EQ(c->stack.fsync, FsyncPolicy::kBatch);
  EXPECT_EQ(c->stack.sessions_dir, std::filesystem::path("/home/u/.local/share/goose/sessions"));
}

// Every default in the README's limits table is the server's own: a limit
// raised in the code and not in the README (or the other way round) fails
// here. The defaults are read from ConfigHelp(), which prints those of a
// default-constructed config.
TEST(ReadmeLimits, EveryDefaultInTheTableIsTheServers) {
  Result<std::string> readme = ReadFile(std::filesystem::path(GOOSE_SOURCE_DIR) / "README.md");
  ASSERT_TRUE(readme.ok()) << readme.status().ToString();
  const size_t table = readme->find("### Limits");
  ASSERT_NE(table, std::string::npos);
  const std::string help = ConfigHelp();
  // "| `GOOSE_API_X` | 123 | ..." rows, up to the next heading.
  const std::regex row(R"(\| `(GOOSE_API_[A-Z_]+)` \| ([^|]+?) \|)");
  const std::string section = readme->substr(table, readme->find("\n### ", table + 1) - table);
  int rows = 0;
  for (std::sregex_iterator it(section.begin(), section.end(), row), end; it != end; ++it) {
    const std::string key = (*it)[1];
    const std::string readme_default = (*it)[2];
    ++rows;
    const size_t at = help.find("  " + key + "\n");
    ASSERT_NE(at, std::string::npos) << key << " is in the README but is no setting";
    const size_t from = help.find("(default: ", at);
    ASSERT_NE(from, std::string::npos) << key;
    const size_t to = help.find_first_of(";)", from);
    EXPECT_EQ(readme_default, help.substr(from + 10, to - from - 10))
        << key << ": the README's default is not the server's";
  }
  EXPECT_GE(rows, 12) << "the limits table was not found whole";
}

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  goose::testing::ScopedTempDir dir;
  const auto file = dir.path() / "config.yaml";
  goose::testing::WriteWholeFile(file,
                                 "# goose-style config\n"
                                 "GOOSE_API_PORT: 9000\n"
                                 "GOOSE_API_SESSION_TIMEOUT_SECS: \"0.25\"\n"
                                 "GOOSE_API_MODEL: from-file  # trailing comment\n"
                                 "extensions:\n"
                                 "  developer: x\n");
  env_["GOOSE_API_PORT"] = "9001";
  Result<ServerConfig> c = LoadServerConfig(Env(), file.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->stack.http.port, 9001);
  EXPECT_EQ(c->stack.registry.ttl, std::chrono::milliseconds(250));
  EXPECT_STREQ(c->Get("GOOSE_API_MODEL"), "from-file");
}

TEST_F(ConfigTest, ReadsTheFsyncPolicy) {
  for (auto [text, policy] :
       {std::pair{"always", FsyncPolicy::kAlways}, std::pair{"batch", FsyncPolicy::kBatch},
        std::pair{"never", FsyncPolicy::kNever}}) {
    env_["GOOSE_API_FSYNC"] = text;
    Result<ServerConfig> c = LoadServerConfig(Env(), "");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->stack.fsync, policy) << text;
    EXPECT_EQ(FsyncPolicyName(policy), text);
  }
}

TEST_F(ConfigTest, BadValuesNameTheKey) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& bad : {Case{"GOOSE_API_PORT", "http"}, Case{"GOOSE_API_PORT", "70000"},
                          Case{"GOOSE_API_SESSION_TIMEOUT_SECS", "-1"},
                          Case{"GOOSE_API_SESSION_TIMEOUT_SECS", "soon"},
                          Case{"GOOSE_API_MAX_SESSIONS", "0"}, Case{"GOOSE_API_THREADS", "x"},
                          Case{"GOOSE_API_OPEN", "yes"}, Case{"GOOSE_API_FSYNC", "sometimes"}}) {
    auto saved = env_;
    env_[bad.key] = bad.value;
    Result<ServerConfig> c = LoadServerConfig(Env(), "");
    ASSERT_FALSE(c.ok()) << bad.key;
    EXPECT_NE(c.status().message().find(bad.key), std::string::npos) << c.status().message();
    EXPECT_NE(c.status().message().find(bad.value), std::string::npos) << c.status().message();
    env_ = saved;
  }
}

TEST_F(ConfigTest, AbsurdNumbersAreRefusedWithTheirRange) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& bad :
       {Case{"GOOSE_API_SESSION_TIMEOUT_SECS", "1e-10"},
        Case{"GOOSE_API_SESSION_TIMEOUT_SECS", "1e12"},
        Case{"GOOSE_API_SESSION_TIMEOUT_SECS", "nan"},
        Case{"GOOSE_API_SESSION_TIMEOUT_SECS", "inf"}, Case{"GOOSE_API_READ_TIMEOUT_SECS", "0"},
        Case{"GOOSE_API_MAX_BODY_BYTES", "99999999999999999999"}, Case{"GOOSE_API_MAX_TURNS", "-3"},
        Case{"GOOSE_API_THREADS", "1e3"}}) {
    auto saved = env_;
    env_[bad.key] = bad.value;
    Result<ServerConfig> c = LoadServerConfig(Env(), "");
    ASSERT_FALSE(c.ok()) << bad.key << "=" << bad.value;
    EXPECT_NE(c.status().message().find(" to "), std::string::npos)
        << "the refusal states the range: " << c.status().message();
    env_ = saved;
  }
}

TEST_F(ConfigTest, HelpShowsTheLibrariesOwnDefaults) {
  const std::string help = ConfigHelp();
  auto default_of = [&](const std::string& key) {
    size_t at = help.find("  " + key + "\n");
    EXPECT_NE(at, std::string::npos) << key;
    size_t d = help.find("(default: ", at) + 10;
    return help.substr(d, help.find_first_of(";)", d) - d);
  };
  EXPECT_EQ(default_of("GOOSE_API_MAX_SESSIONS"), std::to_string(RegistryOptions{}.max_sessions));
  EXPECT_EQ(default_of("GOOSE_API_MAX_TURNS"), std::to_string(AgentOptions{}.max_turns));
  EXPECT_EQ(default_of("GOOSE_API_THREADS"), std::to_string(ApiServerOptions{}.limits.threads));
  EXPECT_EQ(default_of("GOOSE_API_SESSION_TIMEOUT_SECS"),
            std::to_string(
                std::chrono::duration_cast<std::chrono::seconds>(RegistryOptions{}.ttl).count()));
  EXPECT_EQ(default_of("GOOSE_API_PORT"), std::to_string(kDefaultPort));
}

TEST_F(ConfigTest, QuotedFileValuesLoseTheirQuotesAndComments) {
  goose::testing::ScopedTempDir dir;
  const auto file = dir.path() / "config.yaml";
  goose::testing::WriteWholeFile(file,
                                 "GOOSE_API_KEY: \"s3cret\" # the key\n"
                                 "GOOSE_API_SYSTEM_PROMPT: 'be brief'\n"
                                 "GOOSE_API_MODEL: plain # note\n");
  env_.erase("GOOSE_API_KEY");
  Result<ServerConfig> c = LoadServerConfig(Env(), file.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->stack.api_key, "s3cret");
  EXPECT_EQ(c->stack.agent.system_prompt, "be brief");
  EXPECT_STREQ(c->Get("GOOSE_API_MODEL"), "plain");
  goose::testing::WriteWholeFile(file, "GOOSE_API_KEY: \"unclosed\n");
  EXPECT_FALSE(LoadServerConfig(Env(), file.string()).ok());
}

TEST(LoopbackHostTest, OnlyLoopbackAddressesAndNames) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("127.evil.example"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.nip.io"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
}

TEST_F(ConfigTest, RefusesToRunWithoutAKeyUnlessOpenOnLoopback) {
  env_.erase("GOOSE_API_KEY");
  Result<ServerConfig> c = LoadServerConfig(Env(), "");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("GOOSE_API_KEY"), std::string::npos);
  env_["GOOSE_API_OPEN"] = "loopback";
  EXPECT_TRUE(LoadServerConfig(Env(), "").ok());
  env_["GOOSE_API_HOST"] = "0.0.0.0";
  c = LoadServerConfig(Env(), "");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("0.0.0.0"), std::string::npos);
}

TEST_F(ConfigTest, MissingConfigFileIsAnError) {
  Result<ServerConfig> c = LoadServerConfig(Env(), "/nonexistent/goose.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/goose.yaml"), std::string::npos);
}

TEST(ApiKeyTest, MatchesOnlyTheSameKey) {
  EXPECT_TRUE(ApiKeyMatches("secret", "secret"));
  EXPECT_FALSE(ApiKeyMatches("secret", "secreT"));
  EXPECT_FALSE(ApiKeyMatches("secret", "secret2"));
  EXPECT_FALSE(ApiKeyMatches("", "secret"));
  EXPECT_TRUE(ApiKeyMatches("", ""));
}

}  // namespace
}  // namespace goose
