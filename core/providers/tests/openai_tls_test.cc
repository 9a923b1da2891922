// OpenAIProvider over TLS, against a FakeOpenAIServer with a certificate
// made at test time by Debian's `openssl` command: a stream and a
// completion succeed with verification on; a certificate for another name
// and one from an authority the client does not trust are refused, each
// with the error that says so.
//
// The client trusts what OpenSSL's default paths say; SSL_CERT_FILE points
// them at the test's own authority (as an operator would for a private
// provider).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <optional>

#include "core/extensions/child_process.h"
#include "core/model/reply_stream.h"
#include "core/providers/openai_provider.h"
#include "core/providers/tests/fake_openai_server.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;
using testing::FakeOpenAIServer;
using ::testing::HasSubstr;

// Runs `argv` to its end; an error with its stderr when it fails.
Status Run(const std::vector<std::string>& argv) {
  SpawnOptions options;
  options.supervision = Supervision::kDirect;
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(argv, {}, options);
  if (!child.ok()) return child.status();
  std::optional<ExitStatus> exit;
  goose::testing::WaitUntil([&] { return (exit = (*child)->TryReap()).has_value(); }, 120s);
  if (!exit || exit->exit_code != 0 || exit->signal != 0) {
    return Internal(argv[0] + " " + argv[1] + " failed: " + (*child)->StderrShortTail());
  }
  return Status::Ok();
}

// An authority, and a server certificate it signed for `names` (a
// subjectAltName list such as "DNS:localhost").
struct Pki {
  std::string ca_cert, server_cert, server_key;
};

Result<Pki> MakePki(const std::filesystem::path& dir, const std::string& names) {
  const std::string d = dir.string() + "/";
  Pki pki{d + "ca.crt", d + "server.crt", d + "server.key"};
  goose::testing::WriteWholeFile(d + "ext.cnf", "subjectAltName=" + names + "\n");
  for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
           {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "ca.key",
            "-out", pki.ca_cert, "-days", "2", "-subj", "/CN=goose test authority"},
           {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.server_key, "-out",
            d + "server.csr", "-subj", "/CN=goose test server"},
           {"openssl", "x509", "-req", "-in", d + "server.csr", "-CA", pki.ca_cert, "-CAkey",
            d + "ca.key", "-CAcreateserial", "-out", pki.server_cert, "-days", "2", "-extfile",
            d + "ext.cnf"}}) {
    if (Status s = Run(step); !s.ok()) return s;
  }
  return pki;
}

class OpenAITlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/openssl")) {
      GOOSE_SKIP_UNLESS_CI("the openssl command is not installed; ci/install-deps installs it");
    }
    Result<Pki> pki = MakePki(dir_.path(), "DNS:localhost");
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = *pki;
    server_ = std::make_unique<FakeOpenAIServer>(pki_.server_cert, pki_.server_key);
    Trust(pki_.ca_cert);
  }
  void TearDown() override { ::unsetenv("SSL_CERT_FILE"); }

  // OpenSSL reads SSL_CERT_FILE when a client loads its default paths.
  static void Trust(const std::string& ca_file) {
    ASSERT_EQ(::setenv("SSL_CERT_FILE", ca_file.c_str(), 1), 0);
  }

  // The server's config, by the name its certificate carries.
  OpenAIConfig ByName() const {
    OpenAIConfig config = server_->Config();
    EXPECT_EQ(config.scheme, "https");
    config.host = "localhost";
    return config;
  }

  static ProviderRequest Hello() {
    ProviderRequest request;
    request.conversation.push_back(Message::User("hello"));
    return request;
  }

  static void EnqueueStream(FakeOpenAIServer& server) {
    std::vector<testing::Step> steps;
    for (const char* piece : {"Over", " TLS", ", whole."}) {
      steps.push_back(testing::Write(testing::SseData(testing::TextChunk("m1", piece))));
    }
    steps.push_back(testing::Write(testing::SseData(testing::FinishChunk("m1", "stop"))));
    steps.push_back(testing::Write(testing::SseDone()));
    server.Enqueue(testing::SseAnswer(std::move(steps)));
  }

  goose::testing::ScopedTempDir dir_;
  Pki pki_;
  std::unique_ptr<FakeOpenAIServer> server_;
};

TEST_F(OpenAITlsTest, AStreamIsDrainedWholeWithVerificationOn) {
  EnqueueStream(*server_);
  OpenAIProvider provider(ByName());
  std::unique_ptr<ReplyStream> stream = provider.Stream(Hello());
  DrainResult reply = Drain(*stream, ReplyLimits{});
  ASSERT_FALSE(reply.error.has_value()) << reply.error->ToString();
  ASSERT_EQ(reply.messages.size(), 1u);
  EXPECT_EQ(reply.messages[0].Text(), "Over TLS, whole.");
}

TEST_F(OpenAITlsTest, ACompletionSucceedsWithVerificationOn) {
  server_->Enqueue(testing::JsonAnswer(
      200, R"({"id":"c1","object":"chat.completion","choices":[{"index":0,"message":)"
           R"({"role":"assistant","content":"A summary."},"finish_reason":"stop"}]})"));
  OpenAIProvider provider(ByName());
  Result<Completion, ProviderError> done = provider.Complete(Hello());
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(done->message.Text(), "A summary.");
}

TEST_F(OpenAITlsTest, ACertificateForAnotherNameIsRefused) {
  EnqueueStream(*server_);
  OpenAIConfig config = server_->Config();  // 127.0.0.1: not a name the certificate carries
  OpenAIProvider provider(config);
  std::unique_ptr<ReplyStream> stream = provider.Stream(Hello());
  DrainResult reply = Drain(*stream, ReplyLimits{});
  ASSERT_TRUE(reply.error.has_value());
  EXPECT_EQ(reply.error->kind, ProviderErrorKind::kTransport) << reply.error->ToString();
  EXPECT_THAT(reply.error->message, HasSubstr("the TLS certificate of https://127.0.0.1:"));
  EXPECT_THAT(reply.error->message, HasSubstr("did not verify"));
  EXPECT_TRUE(reply.messages.empty());
}

TEST_F(OpenAITlsTest, ACertificateFromAnUntrustedAuthorityIsRefused) {
  // Another authority, not the one that signed the server's certificate.
  goose::testing::ScopedTempDir other_dir;
  Result<Pki> other = MakePki(other_dir.path(), "DNS:localhost");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Trust(other->ca_cert);
  EnqueueStream(*server_);
  OpenAIProvider provider(ByName());
  std::unique_ptr<ReplyStream> stream = provider.Stream(Hello());
  DrainResult reply = Drain(*stream, ReplyLimits{});
  ASSERT_TRUE(reply.error.has_value());
  EXPECT_EQ(reply.error->kind, ProviderErrorKind::kTransport) << reply.error->ToString();
  EXPECT_THAT(reply.error->message, HasSubstr("did not verify"));
  Result<Completion, ProviderError> done = provider.Complete(Hello());
  ASSERT_FALSE(done.ok());
  EXPECT_THAT(done.error().message, HasSubstr("did not verify"));
}

}  // namespace
}  // namespace goose
