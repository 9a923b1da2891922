#include "core/base/loopback.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

namespace goose {
namespace {

using ::testing::HasSubstr;

// A socket bound to a free loopback port; listening when `listen` is set.
struct BoundPort {
  explicit BoundPort(bool listen) : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (listen && ::listen(fd.get(), 4) != 0)) {
      ADD_FAILURE() << "cannot bind a loopback port";
      return;
    }
    port = ntohs(addr.sin_port);
  }
  UniqueFd fd;
  int port = 0;
};

TEST(LoopbackTest, ConnectsWithNoDelayAndSendsEveryByte) {
  BoundPort server(/*listen=*/true);
  Result<UniqueFd> client = ConnectLoopback(server.port);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  int nodelay = 0;
  socklen_t size = sizeof nodelay;
  ASSERT_EQ(::getsockopt(client->get(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &size), 0);
  EXPECT_NE(nodelay, 0);

  UniqueFd accepted(::accept4(server.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted.valid());
  // Below glibc's mmap threshold: a larger buffer would move that threshold
  // for the tests after this one (memory_release_test's heap blocks).
  const std::string bytes(96 * 1024, 'x');
  ASSERT_TRUE(SendAll(client->get(), bytes));
  client->Reset();  // the end of what was sent
  std::string got;
  char buf[65536];
  for (ssize_t n; (n = ::recv(accepted.get(), buf, sizeof buf, 0)) > 0;) got.append(buf, n);
  EXPECT_EQ(got.size(), bytes.size());
  EXPECT_EQ(got, bytes);
}

TEST(LoopbackTest, ARefusedConnectionNamesTheAddress) {
  BoundPort closed(/*listen=*/false);  // bound, not listening: refused
  Result<UniqueFd> client = ConnectLoopback(closed.port);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kIoError);
  EXPECT_THAT(client.status().message(),
              HasSubstr("cannot connect to 127.0.0.1:" + std::to_string(closed.port)));
}

TEST(LoopbackTest, SendAllToAClosedPeerFailsWithoutSigpipe) {
  BoundPort server(/*listen=*/true);
  Result<UniqueFd> client = ConnectLoopback(server.port);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ::close(::accept4(server.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  // The first writes may still be taken by the kernel; a reset follows.
  bool sent = true;
  for (int i = 0; i < 100 && sent; ++i) sent = SendAll(client->get(), std::string(65536, 'y'));
  EXPECT_FALSE(sent);
}

}  // namespace
}  // namespace goose
