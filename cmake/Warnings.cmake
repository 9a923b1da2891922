# Warnings are errors in every preset. Third-party headers come from
# /usr/include and are system headers, so they do not trip these.
add_compile_options(
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Makes "which lock guards this?" a compile-time fact (see core/base/thread_annotations.h).
  add_compile_options(-Wthread-safety)
endif()
