# Sanitizers and the allocator, chosen by the preset. They are applied to
# every target so that the core, the mock and the tests agree on one malloc.
if(GOOSE_SANITIZER STREQUAL "address")
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${_san})
  add_link_options(${_san})
  add_compile_definitions(GOOSE_HEAP_BACKEND_SANITIZER=1)
elseif(GOOSE_SANITIZER STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  add_compile_definitions(GOOSE_HEAP_BACKEND_GLIBC=1 GOOSE_TSAN=1)
elseif(GOOSE_SANITIZER STREQUAL "fuzz")
  set(_san -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${_san})
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(GOOSE_HEAP_BACKEND_SANITIZER=1)
elseif(GOOSE_ALLOCATOR STREQUAL "tcmalloc")
  # The full tcmalloc (not _minimal) carries the heap profiler used by
  # /debug/heap and by the heap-profile diff of failing gates.
  find_library(TCMALLOC_LIBRARY NAMES tcmalloc REQUIRED)
  link_libraries(${TCMALLOC_LIBRARY})
  add_compile_options(-fno-omit-frame-pointer)
  add_compile_definitions(GOOSE_HEAP_BACKEND_TCMALLOC=1)
else()
  add_compile_definitions(GOOSE_HEAP_BACKEND_GLIBC=1)
endif()

if(GOOSE_FAILPOINTS)
  add_compile_definitions(GOOSE_FAILPOINTS=1)
endif()

# Test binaries' own sources (the GoogleTest cases, not the code under test,
# which is in the libraries, nor the harness) compile without optimisation:
# optimising GoogleTest's and nlohmann::json's templates was most of the
# build's time, and a test driver gains nothing from it (cmake/Testing.cmake).
set(GOOSE_TEST_COMPILE_OPTIONS -O0)
