// alloc-probe: a program the allocation counter's tests run under
// LD_PRELOAD=libleakcheck-alloc.so, told what to allocate on stdin.
//
// One command a line; each is answered "ok" (or "error <why>") on stdout:
//   ping            nothing (the program is up and its constructors ran)
//   alloc N SIZE    keep N more blocks of SIZE bytes from malloc
//   new N SIZE      keep N more blocks from new char[SIZE]
//   free N          free (or delete[]) the last N kept blocks
//   realloc SIZE    realloc the last kept block (a malloc one) to SIZE;
//                   SIZE 0 frees it (glibc), and it is no longer kept
//   fork            fork a child that mallocs 1 MiB, touches it and exits
//                   without freeing it; wait for it
//   churn N [T]     N times malloc(64) then free; in T threads at once
//                   (each N times) if T is given. Threads leave glibc (and
//                   the counter) in multi-threaded mode for good.
//   exec            execv this program again on the same stdin; the new
//                   image answers "ok" once it runs
//   quit            exit 0 (so does end of input)
//
// Between commands it allocates nothing: stdin is read one byte at a time
// with read(2) into a fixed buffer (so an exec leaves the next command
// unread), answers go out with write(2), and the kept blocks are in static
// arrays. So the page's live bytes move by exactly what a command did.

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace {

constexpr size_t kMaxBlocks = size_t{1} << 20;
void* g_blocks[kMaxBlocks];
bool g_from_new[kMaxBlocks];
size_t g_kept = 0;

void Say(const char* text) {
  size_t left = strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, text, left);
    if (n <= 0) _exit(3);  // the test is gone
    text += n;
    left -= static_cast<size_t>(n);
  }
}

// One line without its newline; false at end of input.
bool ReadLine(char* line, size_t capacity) {
  size_t used = 0;
  for (;;) {
    char c = 0;
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n <= 0) {
      line[used] = '\0';
      return used > 0;
    }
    if (c == '\n') break;
    if (used + 1 < capacity) line[used++] = c;
  }
  line[used] = '\0';
  return true;
}

// The next unsigned number after *cursor; false if there is none.
bool Number(const char** cursor, uint64_t* value) {
  const char* p = *cursor;
  while (*p == ' ') ++p;
  if (*p < '0' || *p > '9') return false;
  uint64_t v = 0;
  while (*p >= '0' && *p <= '9') v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  *cursor = p;
  *value = v;
  return true;
}

bool Is(const char* line, const char* command, const char** args) {
  const size_t len = strlen(command);
  if (strncmp(line, command, len) != 0 || (line[len] != '\0' && line[len] != ' ')) return false;
  *args = line + len;
  return true;
}

void Keep(void* block, bool from_new) {
  g_blocks[g_kept] = block;
  g_from_new[g_kept] = from_new;
  ++g_kept;
}

const char* Alloc(const char* args, bool with_new) {
  uint64_t count = 0;
  uint64_t size = 0;
  if (!Number(&args, &count) || !Number(&args, &size)) return "error usage: alloc|new N SIZE\n";
  if (count > kMaxBlocks - g_kept) return "error too many blocks\n";
  for (uint64_t i = 0; i < count; ++i) {
    void* block = with_new ? new char[size] : malloc(size);
    if (block == nullptr) return "error out of memory\n";
    Keep(block, with_new);
  }
  return "ok\n";
}

const char* Free(const char* args) {
  uint64_t count = 0;
  if (!Number(&args, &count) || count > g_kept) return "error usage: free N (N <= kept)\n";
  for (uint64_t i = 0; i < count; ++i) {
    --g_kept;
    if (g_from_new[g_kept]) {
      delete[] static_cast<char*>(g_blocks[g_kept]);
    } else {
      free(g_blocks[g_kept]);
    }
  }
  return "ok\n";
}

const char* Realloc(const char* args) {
  uint64_t size = 0;
  if (!Number(&args, &size)) return "error usage: realloc SIZE\n";
  if (g_kept == 0 || g_from_new[g_kept - 1]) return "error the last block is not malloc's\n";
  void* moved = realloc(g_blocks[g_kept - 1], size);
  if (moved == nullptr && size == 0) {  // glibc freed the block
    --g_kept;
    return "ok\n";
  }
  if (moved == nullptr) return "error out of memory\n";
  g_blocks[g_kept - 1] = moved;
  return "ok\n";
}

const char* Fork() {
  const pid_t child = ::fork();
  if (child < 0) return "error fork\n";
  if (child == 0) {
    void* block = malloc(size_t{1} << 20);
    if (block == nullptr) _exit(1);
    memset(block, 1, size_t{1} << 20);
    _exit(0);
  }
  int status = 0;
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "error the child failed\n";
  }
  return "ok\n";
}

void* ChurnLoop(void* count) {
  const uint64_t n = *static_cast<const uint64_t*>(count);
  for (uint64_t i = 0; i < n; ++i) {
    void* block = malloc(64);
    // The block escapes, so the pair cannot be optimised away.
    asm volatile("" : : "r"(block) : "memory");
    free(block);
  }
  return nullptr;
}

const char* Churn(const char* args) {
  uint64_t count = 0;
  uint64_t threads = 0;
  if (!Number(&args, &count)) return "error usage: churn N [THREADS]\n";
  if (!Number(&args, &threads)) {
    ChurnLoop(&count);
    return "ok\n";
  }
  constexpr uint64_t kMaxThreads = 64;
  if (threads == 0 || threads > kMaxThreads) return "error THREADS is 1 to 64\n";
  pthread_t ids[kMaxThreads];
  for (uint64_t t = 0; t < threads; ++t) {
    if (pthread_create(&ids[t], nullptr, ChurnLoop, &count) != 0) _exit(4);
  }
  for (uint64_t t = 0; t < threads; ++t) pthread_join(ids[t], nullptr);
  return "ok\n";
}

char g_marker[] = "--after-exec";

void Exec(char* self) {
  char* argv[] = {self, g_marker, nullptr};
  ::execv("/proc/self/exe", argv);
  Say("error exec\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], g_marker) == 0) Say("ok\n");  // the answer to "exec"
  char line[256];
  while (ReadLine(line, sizeof line)) {
    const char* args = nullptr;
    if (Is(line, "ping", &args)) {
      Say("ok\n");
    } else if (Is(line, "alloc", &args)) {
      Say(Alloc(args, false));
    } else if (Is(line, "new", &args)) {
      Say(Alloc(args, true));
    } else if (Is(line, "free", &args)) {
      Say(Free(args));
    } else if (Is(line, "realloc", &args)) {
      Say(Realloc(args));
    } else if (Is(line, "fork", &args)) {
      Say(Fork());
    } else if (Is(line, "churn", &args)) {
      Say(Churn(args));
    } else if (Is(line, "exec", &args)) {
      Exec(argv[0]);
    } else if (Is(line, "quit", &args)) {
      Say("ok\n");
      return 0;
    } else {
      Say("error unknown command\n");
    }
  }
  return 0;
}
