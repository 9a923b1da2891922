// A child process for tests: spawned with fork/execve (no shell), its stdout
// and stderr on pipes, killed and reaped on destruction if still running.

#ifndef GOOSE_MOCK_PROVIDER_TESTS_SUBPROCESS_H_
#define GOOSE_MOCK_PROVIDER_TESTS_SUBPROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/base/unique_fd.h"

extern char** environ;

namespace goose::mock::testing {

// The first executable `name` on $PATH, like execvp would find it.
inline std::optional<std::string> FindInPath(std::string_view name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string_view rest = path;
  while (true) {
    const size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + std::string(name);
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate, ec)) {
      return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

class Subprocess {
 public:
  // Starts `program` (a path) with `args` (argv[1..]). On failure to fork,
  // running() is false.
  Subprocess(const std::string& program, const std::vector<std::string>& args) {
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    UniqueFd out_read(out[0]), out_write(out[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) return;
    UniqueFd err_read(err[0]), err_write(err[1]);
    // Everything the child needs is built before fork (only async-signal-safe
    // calls after it).
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return;
    if (pid == 0) {
      ::dup2(out_write.get(), STDOUT_FILENO);
      ::dup2(err_write.get(), STDERR_FILENO);
      ::execve(program.c_str(), argv.data(), environ);
      ::_exit(127);
    }
    pid_ = pid;
    stdout_ = std::move(out_read);
    stderr_ = std::move(err_read);
  }
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  ~Subprocess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  bool running() const { return pid_ > 0; }
  void Signal(int signal_number) {
    if (pid_ > 0) ::kill(pid_, signal_number);
  }

  // Reads stdout until a whole line (without its '\n') arrives; nullopt at
  // EOF or when `timeout` passes.
  std::optional<std::string> ReadStdoutLine(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const size_t nl = out_buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = out_buffer_.substr(0, nl);
        out_buffer_.erase(0, nl + 1);
        return line;
      }
      if (!ReadSome(stdout_, &out_buffer_, deadline)) return std::nullopt;
    }
  }

  // Reads stdout and stderr to EOF (or until `timeout`), then waits for the
  // exit. Returns the exit code, or -1 on a timeout or a signal death.
  int Finish(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (stdout_.valid() || stderr_.valid()) {
      pollfd fds[2] = {{stdout_.get(), POLLIN, 0}, {stderr_.get(), POLLIN, 0}};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return -1;
      if (::poll(fds, 2, static_cast<int>(left.count())) < 0) return -1;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        UniqueFd& fd = i == 0 ? stdout_ : stderr_;
        std::string& buffer = i == 0 ? out_buffer_ : err_buffer_;
        char chunk[4096];
        const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
        if (n <= 0) {
          fd.Reset();
        } else {
          buffer.append(chunk, static_cast<size_t>(n));
        }
      }
    }
    while (true) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      if (std::chrono::steady_clock::now() > deadline) return -1;
      ::poll(nullptr, 0, 5);  // the pipes are closed; the exit follows shortly
    }
  }

  // Output read so far (all of it after Finish()).
  const std::string& stdout_text() const { return out_buffer_; }
  const std::string& stderr_text() const { return err_buffer_; }

 private:
  static bool ReadSome(UniqueFd& fd, std::string* buffer,
                       std::chrono::steady_clock::time_point deadline) {
    if (!fd.valid()) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p = {fd.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n <= 0) {
      fd.Reset();
      return false;
    }
    buffer->append(chunk, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  UniqueFd stdout_;
  UniqueFd stderr_;
  std::string out_buffer_;
  std::string err_buffer_;
};

}  // namespace goose::mock::testing

#endif  // GOOSE_MOCK_PROVIDER_TESTS_SUBPROCESS_H_
