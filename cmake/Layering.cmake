# The layers of the tree and the arrows between them.
#
# Each layer is a folder whose code (not its tests/) may include only the
# headers of the layers listed for it. goose_library() builds a layer as a
# library and checks its includes before it compiles, so an upward include
# fails the build with a message naming the file and the arrow it breaks
# (cmake/CheckLayering.cmake). Linking states the same arrows: a library
# links only the layers below it. docs/architecture.md draws the picture.
set(GOOSE_LAYER_core/base core/base)
set(GOOSE_LAYER_core/model core/base core/model)
set(GOOSE_LAYER_core/providers core/base core/model core/providers)
set(GOOSE_LAYER_core/extensions core/base core/model core/extensions)
set(GOOSE_LAYER_core/agent core/base core/model core/agent)
set(GOOSE_LAYER_core/server core/base core/model core/providers core/extensions core/agent
    core/server)
set(GOOSE_LAYER_mock_provider core mock_provider)
set(GOOSE_LAYER_mock_provider/mcp core mock_provider)
set(GOOSE_LAYER_scenarios/probe core/base scenarios/probe)
set(GOOSE_LAYER_scenarios/report core/base scenarios/report)
set(GOOSE_LAYER_scenarios/alloc_counter core/base scenarios/alloc_counter)
set(GOOSE_LAYER_harness core mock_provider scenarios/probe harness)
set(GOOSE_LAYER_hostile core/base hostile)
set(GOOSE_LAYER_scenarios/targets core mock_provider scenarios/probe scenarios/alloc_counter
    harness scenarios/targets)
set(GOOSE_LAYER_scenarios/runner core mock_provider scenarios/probe scenarios/alloc_counter
    harness scenarios/targets scenarios/runner)
set(GOOSE_LAYER_scenarios/builtin core mock_provider scenarios/probe scenarios/alloc_counter
    harness scenarios/targets scenarios/runner scenarios/builtin)
set(GOOSE_LAYER_scenarios/leakcheck core mock_provider scenarios/probe scenarios/report
    scenarios/alloc_counter harness scenarios/targets scenarios/runner scenarios/builtin
    scenarios/leakcheck)
set(GOOSE_LAYER_scenarios/gates core scenarios/report harness scenarios/probe scenarios/targets
    scenarios/runner scenarios/builtin scenarios/gates)
set(GOOSE_LAYER_bench/compare core/base bench/compare)

# goose_check_layering(<target> <layer>): checks every header and source in
# the current folder before <target> builds; tests (tests/, *_test.cc) sit
# above every layer and are not checked.
function(goose_check_layering target layer)
  if(NOT DEFINED GOOSE_LAYER_${layer})
    message(FATAL_ERROR "cmake/Layering.cmake has no layer ${layer}")
  endif()
  file(GLOB files CONFIGURE_DEPENDS
    ${CMAKE_CURRENT_SOURCE_DIR}/*.h ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER files EXCLUDE REGEX "_test\\.cc$")
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.layering)
  string(REPLACE ";" "," allowed "${GOOSE_LAYER_${layer}}")
  string(REPLACE ";" "," checked "${files}")
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DLAYER=${layer} -DALLOWED=${allowed} -DFILES=${checked}
            -DSTAMP=${stamp} -P ${PROJECT_SOURCE_DIR}/cmake/CheckLayering.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/CheckLayering.cmake
    COMMENT "Checking the includes of layer ${layer}"
    VERBATIM)
  add_custom_target(${target}_layering DEPENDS ${stamp})
  add_dependencies(${target} ${target}_layering)
endfunction()

# goose_library(<name> LAYER <layer> SOURCES <file>... [LINKS <lib>...])
# A static library for one layer, its includes checked.
function(goose_library name)
  cmake_parse_arguments(L "" "LAYER" "SOURCES;LINKS" ${ARGN})
  add_library(${name} STATIC ${L_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${L_LINKS})
  goose_check_layering(${name} ${L_LAYER})
endfunction()
