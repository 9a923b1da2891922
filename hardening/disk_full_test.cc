// A full sessions disk: replies fail with 507 and a message that says the
// disk is full, the sessions already stored are untouched (byte for byte),
// no temp file is left behind, and the server recovers once there is space.
//
// Two ways to fill the disk: a real one (a 512 KiB tmpfs mounted over the
// sessions directory, filled by a file; needs CAP_SYS_ADMIN, else skipped)
// and the `disk_full` failpoint (ENOSPC injected into every session write),
// which runs everywhere.

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/base/failpoint.h"
#include "core/base/unique_fd.h"
#include "hardening/bad_input_corpus.h"
#include "harness/server_test.h"
#include "harness/test_util.h"

namespace goose::hardening {
namespace {

namespace fs = std::filesystem;

// A small tmpfs over a directory, unmounted on destruction.
class ScopedTmpfs {
 public:
  explicit ScopedTmpfs(const fs::path& where) : where_(where) {
    std::error_code ec;
    fs::create_directories(where_, ec);
    mounted_ =
        ::mount("tmpfs", where_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=512k,mode=0700") == 0;
    error_ = errno;
  }
  ~ScopedTmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  ScopedTmpfs(const ScopedTmpfs&) = delete;
  ScopedTmpfs& operator=(const ScopedTmpfs&) = delete;
  bool mounted() const { return mounted_; }
  int error() const { return error_; }

 private:
  fs::path where_;
  bool mounted_ = false;
  int error_ = 0;
};

class DiskFullTest : public testing::ServerTest {
 protected:
  void StartServer(const fs::path& sessions_dir = {}) {
    testing::TestServerOptions options = HardeningServerOptions();
    options.stack.sessions_dir = sessions_dir;
    ServerTest::StartServer(std::move(options));
  }
  const fs::path& sessions_dir() { return server().sessions_dir(); }

  ~DiskFullTest() override { ClearFailpoints(); }

  // Starts a session and returns its id and its file's bytes.
  std::pair<std::string, std::string> StoredSession() {
    auto [status, body] = Post("/session/start", {{"prompt", "keep me"}});
    EXPECT_EQ(status, 200) << body.dump();
    std::string id = body.value("session_id", "");
    return {id, testing::ReadWholeFile(sessions_dir() / (id + ".jsonl"))};
  }

  // While the disk is full: replies and starts answer 507 saying why, and
  // the stored session is unchanged, with no temp file beside it.
  void ExpectFullDiskBehaviour(const std::string& id, const std::string& bytes) {
    // Larger than the page the file's last bytes are in, so that even an
    // append needs space the full disk does not have.
    const std::string prompt = "more " + std::string(16 * 1024, 'm');
    auto [status, body] = Post("/session/reply", {{"session_id", id}, {"prompt", prompt}});
    EXPECT_EQ(status, 507) << body.dump();
    EXPECT_EQ(body.value("status", ""), "error");
    EXPECT_NE(body.value("message", "").find("disk is full"), std::string::npos) << body.dump();
    auto [start_status, start_body] = Post("/session/start", {{"prompt", "new"}});
    EXPECT_EQ(start_status, 507) << start_body.dump();
    EXPECT_EQ(testing::ReadWholeFile(sessions_dir() / (id + ".jsonl")), bytes)
        << "a stored session changed";
    for (const auto& e : fs::directory_iterator(sessions_dir())) {
      EXPECT_FALSE(e.path().filename().string().ends_with(".tmp")) << e.path();
    }
  }

  // After the disk has room again: the session continues and is stored whole.
  void ExpectRecovered(const std::string& id) {
    auto [status, body] = Post("/session/reply", {{"session_id", id}, {"prompt", "recovered"}});
    ASSERT_EQ(status, 200) << body.dump();
    Result<Session> s = server().stack().store().Read(id);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->messages.front().Text(), "keep me");
    bool found = false;
    for (const Message& m : s->messages) found = found || m.Text() == "recovered";
    EXPECT_TRUE(found);
  }
};

TEST_F(DiskFullTest, InjectedEnospcAnswers507KeepsStoredSessionsAndRecovers) {
  if (!kFailpointsCompiled) GTEST_SKIP() << "this build has no failpoints";
  StartServer();
  auto [id, bytes] = StoredSession();
  ASSERT_FALSE(bytes.empty());
  ASSERT_TRUE(SetFailpoint(Failpoint::kDiskFull, true).ok());
  ExpectFullDiskBehaviour(id, bytes);
  ASSERT_TRUE(SetFailpoint(Failpoint::kDiskFull, false).ok());
  ExpectRecovered(id);
}

TEST_F(DiskFullTest, RealFullTmpfsAnswers507KeepsStoredSessionsAndRecovers) {
  testing::ScopedTempDir mount_root;
  const fs::path mount_point = mount_root.path() / "sessions";
  fs::create_directories(mount_point);
  ScopedTmpfs tmpfs(mount_point);
  if (!tmpfs.mounted()) {
    GOOSE_SKIP_UNLESS_CI("cannot mount a tmpfs here (" + std::string(std::strerror(tmpfs.error())) +
                         "): run as root with CAP_SYS_ADMIN; the injected-ENOSPC test covers the "
                         "rest");
  }
  StartServer(mount_point);
  auto [id, bytes] = StoredSession();
  ASSERT_FALSE(bytes.empty());
  {  // Fill the disk to the last byte.
    UniqueFd fd(::open((sessions_dir() / "filler").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(fd.valid());
    const std::string block(4096, 'f');
    while (::write(fd.get(), block.data(), block.size()) > 0) {
    }
    ASSERT_EQ(errno, ENOSPC);
    while (::write(fd.get(), block.data(), 1) > 0) {
    }
  }
  ExpectFullDiskBehaviour(id, bytes);
  fs::remove(sessions_dir() / "filler");
  ExpectRecovered(id);
}

}  // namespace
}  // namespace goose::hardening
