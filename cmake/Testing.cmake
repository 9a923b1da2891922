# goose_add_test(NAME <target> LABELS <label>... SOURCES <file>... [LIBS <lib>...]
#                [TIMEOUT <seconds>] [RUN_SERIAL])
#
# Builds a GoogleTest binary and registers each of its tests with CTest,
# labelled (unit, integration, gate, interop, fuzz, bench) so that a CI
# engine can select them with `ctest -L`. Every run writes GoogleTest XML
# under <build>/test-results/. RUN_SERIAL keeps `ctest -j` from running the
# tests beside any other (benchmarks).
set(GOOSE_ASAN_OPTIONS
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1")
# ci/tsan.supp: races inside the uninstrumented libcpp-httplib.so (each entry says why).
set(GOOSE_TSAN_OPTIONS
  "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=${PROJECT_SOURCE_DIR}/ci/tsan.supp")
set(GOOSE_TEST_ENV
  "${GOOSE_ASAN_OPTIONS}"
  "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
  "${GOOSE_TSAN_OPTIONS}"
  "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/ci/lsan.supp")

# One build target per label (tests_unit, tests_gate, ...): every test
# binary of that label and what it starts, so a preset builds only what it
# runs (ci/test).
set(GOOSE_TEST_LABELS unit integration gate interop fuzz bench hostile)
foreach(label IN LISTS GOOSE_TEST_LABELS)
  add_custom_target(tests_${label})
endforeach()

# goose_label_targets(<target> <label>...): makes <target> part of the
# build targets of its labels.
function(goose_label_targets target)
  foreach(label IN LISTS ARGN)
    if(NOT label IN_LIST GOOSE_TEST_LABELS)
      message(FATAL_ERROR "${target}: unknown test label ${label} (cmake/Testing.cmake)")
    endif()
    add_dependencies(tests_${label} ${target})
  endforeach()
endfunction()

function(goose_add_test)
  cmake_parse_arguments(T "RUN_SERIAL" "NAME;TIMEOUT" "LABELS;SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  goose_label_targets(${T_NAME} ${T_LABELS})
  target_compile_options(${T_NAME} PRIVATE ${GOOSE_TEST_COMPILE_OPTIONS})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main Threads::Threads)
  # gtest_discover_tests (CMake 3.25) flattens PROPERTIES into one list of
  # names and values, so a list value (two labels, several environment
  # variables) would lose all but its first element. List values are set
  # instead by a file CTest includes after the discovered tests.
  gtest_discover_tests(${T_NAME}
    XML_OUTPUT_DIR ${CMAKE_BINARY_DIR}/test-results
    DISCOVERY_TIMEOUT 60
    DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${T_TIMEOUT})
  set(properties "${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}_properties.cmake")
  file(WRITE "${properties}"
    "if(${T_NAME}_TESTS)\n"
    "  set_tests_properties(\${${T_NAME}_TESTS} PROPERTIES\n"
    "    LABELS [==[${T_LABELS}]==] ENVIRONMENT [==[${GOOSE_TEST_ENV}]==]\n"
    "    RUN_SERIAL ${T_RUN_SERIAL})\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${properties}")
endfunction()
