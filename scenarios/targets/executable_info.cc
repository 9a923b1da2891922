#include "scenarios/targets/executable_info.h"

#include <elf.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

namespace goose::scenarios {
namespace {

std::filesystem::path Resolve(const std::string& argv0) {
  if (argv0.find('/') != std::string::npos) return argv0;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const std::filesystem::path candidate =
        std::filesystem::path(dir.empty() ? "." : std::string(dir)) / argv0;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return {};
}

// What the program headers of a 64-bit ELF say: whether it has an
// interpreter (PT_INTERP: dynamically linked, LD_PRELOAD applies) and the
// libraries it needs (DT_NEEDED of PT_DYNAMIC).
struct ElfLinkage {
  bool interpreter = false;
  std::vector<std::string> needed;
};

ElfLinkage ReadLinkage(std::ifstream& file) {
  ElfLinkage linkage;
  Elf64_Ehdr header{};
  file.clear();
  file.seekg(0);
  if (!file.read(reinterpret_cast<char*>(&header), sizeof header)) return linkage;
  if (header.e_ident[EI_CLASS] != ELFCLASS64) {
    linkage.interpreter = true;  // not read: assume dynamic
    return linkage;
  }
  std::vector<Elf64_Phdr> programs(header.e_phnum);
  for (Elf64_Phdr& program : programs) {
    const size_t i = static_cast<size_t>(&program - programs.data());
    file.seekg(static_cast<std::streamoff>(header.e_phoff + i * header.e_phentsize));
    if (!file.read(reinterpret_cast<char*>(&program), sizeof program)) return linkage;
    if (program.p_type == PT_INTERP) linkage.interpreter = true;
  }
  // A virtual address to its file offset, through the PT_LOAD segments.
  auto offset_of = [&](uint64_t address) -> int64_t {
    for (const Elf64_Phdr& p : programs) {
      if (p.p_type == PT_LOAD && address >= p.p_vaddr && address < p.p_vaddr + p.p_filesz) {
        return static_cast<int64_t>(address - p.p_vaddr + p.p_offset);
      }
    }
    return -1;
  };
  for (const Elf64_Phdr& p : programs) {
    if (p.p_type != PT_DYNAMIC) continue;
    std::vector<Elf64_Dyn> entries(p.p_filesz / sizeof(Elf64_Dyn));
    file.seekg(static_cast<std::streamoff>(p.p_offset));
    if (!file.read(reinterpret_cast<char*>(entries.data()),
                   static_cast<std::streamsize>(entries.size() * sizeof(Elf64_Dyn)))) {
      return linkage;
    }
    uint64_t strtab = 0;
    for (const Elf64_Dyn& d : entries) {
      if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr;
    }
    const int64_t strings = offset_of(strtab);
    if (strings < 0) return linkage;
    for (const Elf64_Dyn& d : entries) {
      if (d.d_tag != DT_NEEDED) continue;
      file.seekg(strings + static_cast<int64_t>(d.d_un.d_val));
      std::string name;
      std::getline(file, name, '\0');
      linkage.needed.push_back(name);
    }
  }
  return linkage;
}

// Marks of a sanitizer runtime and of allocator libraries, made at run time
// so that they are not literals in this very program (which would then
// find them in itself).
struct Marks {
  std::string asan = std::string("__asan") + "_init";
  std::string tsan = std::string("__tsan") + "_init";
  std::string msan = std::string("__msan") + "_init";
  std::string tcmalloc = std::string("libtc") + "malloc";
  std::string jemalloc = std::string("libje") + "malloc";
  std::string mimalloc = std::string("libmi") + "malloc";
};

}  // namespace

std::string FirstNeedleInFile(const std::filesystem::path& path,
                              const std::vector<std::string_view>& needles) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return "";
  constexpr size_t kReadChunk = 1 << 20, kOverlap = 64;
  std::string buffer;
  std::string chunk(kReadChunk, '\0');
  while (file.read(chunk.data(), kReadChunk) || file.gcount() > 0) {
    // Keep the end of the previous chunk: a needle may straddle two.
    buffer.erase(0, buffer.size() > kOverlap ? buffer.size() - kOverlap : 0);
    buffer.append(chunk.data(), static_cast<size_t>(file.gcount()));
    for (std::string_view needle : needles) {
      if (buffer.find(needle) != std::string::npos) return std::string(needle);
    }
  }
  return "";
}

ExecutableInfo InspectExecutable(const std::string& argv0) {
  ExecutableInfo info;
  info.path = Resolve(argv0);
  if (info.path.empty()) return info;
  std::ifstream file(info.path, std::ios::binary);
  char magic[4] = {};
  if (!file.read(magic, sizeof magic)) return info;
  info.script = magic[0] == '#' && magic[1] == '!';
  info.elf = std::memcmp(magic, ELFMAG, SELFMAG) == 0;
  if (!info.elf) return info;
  const ElfLinkage linkage = ReadLinkage(file);
  info.dynamic = linkage.interpreter;
  const Marks marks;
  const std::string sanitizer = FirstNeedleInFile(info.path, {marks.asan, marks.tsan, marks.msan});
  if (!sanitizer.empty()) info.sanitizer = sanitizer.substr(2, 4);  // "asan", "tsan", "msan"
  for (const std::string& library : linkage.needed) {
    for (const std::string* allocator : {&marks.tcmalloc, &marks.jemalloc, &marks.mimalloc}) {
      if (library.starts_with(*allocator)) info.own_allocator = allocator->substr(3);
    }
  }
  return info;
}

std::string PreloadRefusal(const ExecutableInfo& info) {
  if (info.path.empty()) return "the program was not found (in PATH)";
  if (info.script) return "";
  if (!info.elf) return "the program is not an ELF executable or a #! script";
  if (!info.dynamic) return "the program is statically linked (LD_PRELOAD does not apply)";
  if (!info.sanitizer.empty()) {
    return "the program is a " + info.sanitizer + " build (its runtime replaces malloc)";
  }
  if (!info.own_allocator.empty()) {
    return "the program links its own allocator (" + info.own_allocator + ")";
  }
  return "";
}

}  // namespace goose::scenarios
