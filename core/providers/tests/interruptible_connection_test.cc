#include "core/providers/interruptible_connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>

#include "core/base/resource_ledger.h"
#include "core/base/unique_fd.h"

namespace goose {
namespace {

int64_t Connections() { return ResourceLedger::Global().Get(Gauge::kProviderConnections); }

// A connected pair of sockets; `ours` plays httplib's socket.
struct SocketPair {
  SocketPair() {
    std::array<int, 2> fds{};
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()), 0);
    ours.Reset(fds[0]);
    peer.Reset(fds[1]);
  }
  // True when a read on `ours` returns end-of-stream at once (it was shut
  // down); false when it would block.
  bool ReadSideShutDown() const {
    char byte = 0;
    return ::recv(ours.get(), &byte, 1, MSG_DONTWAIT) == 0;
  }
  UniqueFd ours;
  UniqueFd peer;
};

TEST(InterruptibleConnectionTest, CountsTheAttachedSocket) {
  const int64_t before = Connections();
  SocketPair pair;
  InterruptibleConnection connection(InterruptibleConnection::Shutdown::kReadAndWrite);
  connection.Attach(pair.ours.get());
  EXPECT_EQ(Connections(), before + 1);
  connection.Attach(pair.ours.get());  // a second socket of the same call replaces the first
  EXPECT_EQ(Connections(), before + 1);
  connection.Detach();
  EXPECT_EQ(Connections(), before);
  EXPECT_FALSE(pair.ReadSideShutDown());  // detaching closes our duplicate only
}

TEST(InterruptibleConnectionTest, InterruptShutsTheSocketDown) {
  SocketPair pair;
  InterruptibleConnection connection(InterruptibleConnection::Shutdown::kReadOnly);
  connection.Attach(pair.ours.get());
  EXPECT_FALSE(pair.ReadSideShutDown());
  connection.Interrupt();
  EXPECT_TRUE(connection.interrupted());
  EXPECT_TRUE(pair.ReadSideShutDown());
  // Read-only shutdown leaves writing possible (TLS can still say goodbye).
  EXPECT_EQ(::send(pair.ours.get(), "x", 1, MSG_NOSIGNAL), 1);
}

TEST(InterruptibleConnectionTest, SocketAttachedAfterInterruptIsShutDownAtOnce) {
  const int64_t before = Connections();
  SocketPair pair;
  {
    InterruptibleConnection connection(InterruptibleConnection::Shutdown::kReadAndWrite);
    connection.Interrupt();  // before the call even made its socket
    connection.Attach(pair.ours.get());
    EXPECT_TRUE(pair.ReadSideShutDown());
    EXPECT_EQ(::send(pair.ours.get(), "x", 1, MSG_NOSIGNAL), -1);
  }
  EXPECT_EQ(Connections(), before);  // the destructor stops counting
}

}  // namespace
}  // namespace goose
