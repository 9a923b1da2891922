#include "core/providers/openai_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace goose {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

// An environment made of a map, so tests never touch the process's own.
class FakeEnv {
 public:
  explicit FakeEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  EnvLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars_.find(name);
      return it == vars_.end() ? nullptr : it->second.c_str();
    };
  }

 private:
  std::map<std::string, std::string> vars_;
};

Result<OpenAIConfig> FromEnv(std::map<std::string, std::string> vars) {
  FakeEnv env(std::move(vars));
  return OpenAIConfigFromEnv(env.lookup());
}

TEST(OpenAIConfigTest, Defaults) {
  Result<OpenAIConfig> c = FromEnv({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->scheme, "https");
  EXPECT_EQ(c->host, "api.openai.com");
  EXPECT_EQ(c->port, 443);
  EXPECT_EQ(c->base_path, "/v1/chat/completions");
  EXPECT_EQ(c->model, "gpt-4o");
  EXPECT_EQ(c->api_key, "");
  EXPECT_EQ(c->total_timeout, milliseconds(600'000));
  EXPECT_EQ(c->idle_timeout, milliseconds(300'000));
  EXPECT_EQ(c->Url(), "https://api.openai.com:443/v1/chat/completions");
}

TEST(OpenAIConfigTest, Overrides) {
  Result<OpenAIConfig> c = FromEnv({{"GOOSE_API_PROVIDER", "openai"},
                                    {"GOOSE_API_MODEL", "gpt-4o-mini"},
                                    {"OPENAI_HOST", "http://127.0.0.1:8080"},
                                    {"OPENAI_BASE_PATH", "v1/chat/completions"},
                                    {"OPENAI_API_KEY", "sk-test-1234567890"},
                                    {"GOOSE_API_PROVIDER_TIMEOUT_SECS", "2.5"},
                                    {"GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS", "9"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->scheme, "http");
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->base_path, "/v1/chat/completions");
  EXPECT_EQ(c->model, "gpt-4o-mini");
  EXPECT_EQ(c->api_key, "sk-test-1234567890");
  EXPECT_EQ(c->total_timeout, milliseconds(2500));
  EXPECT_EQ(c->idle_timeout, milliseconds(2500));  // capped by the total
  EXPECT_EQ(c->connect_timeout, milliseconds(2500));
}

TEST(OpenAIConfigTest, HostPathAndBasePathCombine) {
  Result<OpenAIConfig> relative =
      FromEnv({{"OPENAI_HOST", "https://gateway.example/proxy/openai/"}});
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->base_path, "/proxy/openai/v1/chat/completions");
  Result<OpenAIConfig> absolute = FromEnv(
      {{"OPENAI_HOST", "https://gateway.example/proxy"}, {"OPENAI_BASE_PATH", "/custom/chat"}});
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->base_path, "/custom/chat");
}

TEST(OpenAIConfigTest, HttpsUrlIsAccepted) {
  Result<OpenAIConfig> c = FromEnv({{"OPENAI_HOST", "HTTPS://llm.example.com:8443"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->scheme, "https");
  EXPECT_EQ(c->host, "llm.example.com");
  EXPECT_EQ(c->port, 8443);
  Result<OpenAIConfig> v6 = FromEnv({{"OPENAI_HOST", "http://[::1]:9000"}});
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->Origin(), "http://[::1]:9000");
}

TEST(OpenAIConfigTest, BadUrlsAreRefusedWithAClearMessage) {
  const std::map<std::string, std::string> cases = {
      {"api.openai.com", "no scheme"},
      {"ftp://api.openai.com", "must be http or https"},
      {"http://", "no host"},
      {"http://:8080", "no host"},
      {"http://host:99999", "port must be a number"},
      {"http://host:abc", "port must be a number"},
      {"http://host:", "empty port"},
      {"http://user:secret@host", "user info"},
      {"http://host/?q=1", "query or fragment"},
      {"http://ho st", "host has characters"},
      {"http://[::1", "unclosed"},
  };
  for (const auto& [url, why] : cases) {
    Result<OpenAIConfig> c = FromEnv({{"OPENAI_HOST", url}});
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("OPENAI_HOST=\"" + url + "\"")) << url;
    EXPECT_THAT(c.status().message(), HasSubstr(why)) << url;
  }
}

TEST(OpenAIConfigTest, OtherProviderIsRefused) {
  Result<OpenAIConfig> c = FromEnv({{"GOOSE_API_PROVIDER", "anthropic"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("GOOSE_API_PROVIDER=\"anthropic\""));
}

TEST(OpenAIConfigTest, BadTimeoutsAreRefused) {
  for (const char* key :
       {"GOOSE_API_PROVIDER_TIMEOUT_SECS", "GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS"}) {
    for (const char* bad : {"abc", "0", "-1", "1s", "1e-10", "1e12", "nan", "inf"}) {
      Result<OpenAIConfig> c = FromEnv({{key, bad}});
      ASSERT_FALSE(c.ok()) << key << "=" << bad;
      EXPECT_THAT(c.status().message(), HasSubstr(key)) << bad;
      EXPECT_THAT(c.status().message(), HasSubstr("0.1 to 86400 seconds")) << bad;
    }
  }
}

TEST(OpenAIConfigTest, DescribeNeverShowsTheKey) {
  Result<OpenAIConfig> c = FromEnv({{"OPENAI_API_KEY", "sk-live-very-secret-value"}});
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->Describe(), Not(HasSubstr("very-secret")));
  EXPECT_THAT(c->Describe(), HasSubstr("key set"));
  EXPECT_THAT(c->Describe(), HasSubstr("https://api.openai.com:443/v1/chat/completions"));
}

}  // namespace
}  // namespace goose
