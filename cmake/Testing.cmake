# goose_add_test(NAME <target> LABELS <label>... SOURCES <file>... [LIBS <lib>...])
#
# Builds a GoogleTest binary and registers each of its tests with CTest,
# labelled (unit, integration, gate, interop, fuzz, bench) so that a CI
# engine can select them with `ctest -L`. Every run writes GoogleTest XML
# under <build>/test-results/.
set(GOOSE_TEST_ENV
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
  "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
  "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1"
  "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/ci/lsan.supp")

function(goose_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "LABELS;SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main Threads::Threads)
  gtest_discover_tests(${T_NAME}
    XML_OUTPUT_DIR ${CMAKE_BINARY_DIR}/test-results
    DISCOVERY_TIMEOUT 60
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${GOOSE_TEST_ENV}")
endfunction()
