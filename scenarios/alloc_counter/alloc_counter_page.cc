#include "scenarios/alloc_counter/alloc_counter_page.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <new>
#include <system_error>
#include <utility>

#include "core/base/file_io.h"
#include "core/base/unique_fd.h"

namespace goose::scenarios {

Result<AllocCounterPage> AllocCounterPage::Create(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return IoError(ErrnoMessage("cannot create the allocation page", file));
  // From here on the file is ours: remove it again if the page cannot be made.
  auto fail = [&file](Status status) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    return status;
  };
  // 0600 whatever the umask; the page says how much the target allocates.
  if (::fchmod(fd.get(), 0600) != 0) {
    return fail(IoError(ErrnoMessage("cannot chmod the allocation page", file)));
  }
  // Written, not truncated to size: the blocks exist, so a full disk is an
  // error here rather than a SIGBUS in the target when it touches the page.
  const std::string zeros(kAllocPageSize, '\0');
  if (Status written = PWriteAll(fd.get(), zeros, 0, file); !written.ok()) {
    return fail(std::move(written));
  }
  void* mapping = ::mmap(nullptr, kAllocPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (mapping == MAP_FAILED) {
    return fail(IoError(ErrnoMessage("cannot map the allocation page", file)));
  }
  // The file is zeroed, so constructing the page here changes no byte; the
  // magic goes last, so a process that sees it sees the version too.
  auto* page = new (mapping) AllocPage();
  page->version.store(kAllocPageVersion, std::memory_order_relaxed);
  page->magic.store(kAllocPageMagic, std::memory_order_release);
  return AllocCounterPage(page);
}

Result<AllocCounterPage> AllocCounterPage::Open(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return IoError(ErrnoMessage("cannot open the allocation page", file));
  struct stat st {};
  // A shorter file would SIGBUS on the first access past its end.
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size < static_cast<off_t>(kAllocPageSize)) {
    return IoError("not an allocation page: " + file.string());
  }
  void* mapping = ::mmap(nullptr, kAllocPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (mapping == MAP_FAILED) {
    return IoError(ErrnoMessage("cannot map the allocation page", file));
  }
  AllocCounterPage page(static_cast<AllocPage*>(mapping));
  if (page.page_->magic.load(std::memory_order_acquire) != kAllocPageMagic ||
      page.page_->version.load(std::memory_order_acquire) != kAllocPageVersion) {
    return IoError("not an allocation page of version " + std::to_string(kAllocPageVersion) + ": " +
                   file.string());
  }
  return page;
}

AllocCounterPage::~AllocCounterPage() { Unmap(); }

AllocCounterPage::AllocCounterPage(AllocCounterPage&& other) noexcept
    : page_(std::exchange(other.page_, nullptr)) {}

AllocCounterPage& AllocCounterPage::operator=(AllocCounterPage&& other) noexcept {
  if (this != &other) {
    Unmap();
    page_ = std::exchange(other.page_, nullptr);
  }
  return *this;
}

void AllocCounterPage::Unmap() {
  if (page_ == nullptr) return;
  ::munmap(page_, kAllocPageSize);
  page_ = nullptr;
}

AllocCounterPage::Snapshot AllocCounterPage::Read() const {
  Snapshot s;
  s.owner_pid = static_cast<pid_t>(page_->owner_pid.load(std::memory_order_acquire));
  s.exec_generation = page_->exec_generation.load(std::memory_order_acquire);
  const AllocCounters& c = page_->counters;
  s.live_bytes = c.live_bytes.load(std::memory_order_acquire);
  s.peak_live_bytes = c.peak_live_bytes.load(std::memory_order_acquire);
  s.allocations = c.allocations.load(std::memory_order_acquire);
  s.frees = c.frees.load(std::memory_order_acquire);
  return s;
}

std::string AllocCounterPage::BesideThisProgram(const char* name) {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return name;
  return (exe.parent_path() / name).string();
}

std::string AllocCounterPage::LibraryPath() { return BesideThisProgram(kLibraryName); }

std::string AllocCounterPage::PythonSiteDir() { return BesideThisProgram(kPythonSiteDirName); }

}  // namespace goose::scenarios
