# The layers of the tree and the arrows between them.
#
# Each layer is a folder whose code (not its tests/) may include only the
# headers of the layers listed for it. goose_library() builds a layer as a
# library and checks its includes before it compiles, so an upward include
# fails the build with a message naming the file and the arrow it breaks
# (cmake/CheckLayering.cmake). Linking states the same arrows: a library
# links only the layers below it. docs/architecture.md draws the picture.
#
# Both include forms are checked: "x" always, <x> when x begins with one of
# the project's top folders (the rest are system headers).
set(GOOSE_PROJECT_FOLDERS
    core mock_provider harness scenarios hostile hardening bench fuzz integration)
set(GOOSE_LAYER_core/base core/base)
set(GOOSE_LAYER_core/model core/base core/model)
set(GOOSE_LAYER_core/providers core/base core/model core/providers)
set(GOOSE_LAYER_core/extensions core/base core/model core/extensions)
set(GOOSE_LAYER_core/agent core/base core/model core/agent)
set(GOOSE_LAYER_core/server core/base core/model core/providers core/extensions core/agent
    core/server)
set(GOOSE_LAYER_mock_provider core mock_provider)
set(GOOSE_LAYER_mock_provider/mcp core mock_provider)
set(GOOSE_LAYER_scenarios/probe core/base scenarios/alloc_counter scenarios/probe)
set(GOOSE_LAYER_scenarios/report core/base scenarios/report)
set(GOOSE_LAYER_scenarios/alloc_counter core/base scenarios/alloc_counter)
set(GOOSE_LAYER_harness core mock_provider scenarios/probe harness)
set(GOOSE_LAYER_hostile core/base hostile)
# The hostile gates' fixture: the server under test (harness) against the
# peer kit (hostile) and the mock peers.
set(GOOSE_LAYER_hostile/gates core mock_provider scenarios/probe harness hostile hostile/gates)
set(GOOSE_LAYER_scenarios/targets core mock_provider scenarios/probe scenarios/alloc_counter
    harness scenarios/targets)
set(GOOSE_LAYER_scenarios/runner core mock_provider scenarios/probe scenarios/alloc_counter
    harness scenarios/targets scenarios/runner)
set(GOOSE_LAYER_scenarios/builtin core mock_provider scenarios/probe scenarios/alloc_counter
    harness scenarios/targets scenarios/runner scenarios/builtin)
set(GOOSE_LAYER_scenarios/mcp core mock_provider scenarios/probe scenarios/alloc_counter
    harness scenarios/targets scenarios/runner scenarios/mcp)
set(GOOSE_LAYER_scenarios/leakcheck core mock_provider scenarios/probe scenarios/report
    scenarios/alloc_counter harness scenarios/targets scenarios/runner scenarios/builtin
    scenarios/mcp scenarios/leakcheck)
set(GOOSE_LAYER_scenarios/gates core scenarios/report harness scenarios/probe scenarios/targets
    scenarios/runner scenarios/builtin scenarios/gates)
set(GOOSE_LAYER_scenarios/leaky_server core/base scenarios/leaky_server)
set(GOOSE_LAYER_hardening core/base core/providers mock_provider harness scenarios/probe
    scenarios/runner hardening)
set(GOOSE_LAYER_bench/compare core/base bench/compare)

# The repository root, for a layer's name from its folder (also in script
# mode, where CheckLayering.cmake includes this file).
get_filename_component(GOOSE_LAYERING_ROOT ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)

# goose_layer_files(<var> <dir>): the files of the layer in <dir> the check
# reads: every header and source under it, subfolders included, except its
# tests (tests/ folders and *_test.cc sit above every layer) and any
# subfolder that is a layer of its own (its own GOOSE_LAYER_ entry, or a
# CMakeLists.txt that calls goose_library or goose_check_layering), which
# is checked against its own rule. The build and the check's tests
# (CheckLayering.cmake -DDIR=) both list files with this.
function(goose_layer_files var dir)
  get_filename_component(dir "${dir}" ABSOLUTE)
  set(patterns ${dir}/*.h ${dir}/*.cc)
  if(NOT CMAKE_SCRIPT_MODE_FILE)
    list(PREPEND patterns CONFIGURE_DEPENDS)
  endif()
  file(GLOB_RECURSE found LIST_DIRECTORIES false ${patterns})
  list(SORT found)
  set(files "")
  foreach(file IN LISTS found)
    if(file MATCHES "_test\\.cc$")
      continue()
    endif()
    # Every folder between <dir> and the file must belong to this layer.
    file(RELATIVE_PATH sub "${dir}" "${file}")
    get_filename_component(sub "${sub}" DIRECTORY)
    set(ours TRUE)
    while(ours AND NOT sub STREQUAL "")
      get_filename_component(name "${sub}" NAME)
      file(RELATIVE_PATH layer "${GOOSE_LAYERING_ROOT}" "${dir}/${sub}")
      if(name STREQUAL "tests" OR DEFINED GOOSE_LAYER_${layer})
        set(ours FALSE)
      elseif(EXISTS "${dir}/${sub}/CMakeLists.txt")
        file(STRINGS "${dir}/${sub}/CMakeLists.txt" declares
          REGEX "^[ \t]*goose_(library|check_layering)[ \t]*\\(")
        if(declares)
          set(ours FALSE)
        endif()
      endif()
      get_filename_component(sub "${sub}" DIRECTORY)
    endwhile()
    if(ours)
      list(APPEND files "${file}")
    endif()
  endforeach()
  set(${var} "${files}" PARENT_SCOPE)
endfunction()

# goose_check_layering(<target> <layer>): checks the current folder's files
# (goose_layer_files) against the layer's rule before <target> builds.
function(goose_check_layering target layer)
  if(NOT DEFINED GOOSE_LAYER_${layer})
    message(FATAL_ERROR "cmake/Layering.cmake has no layer ${layer}")
  endif()
  goose_layer_files(files ${CMAKE_CURRENT_SOURCE_DIR})
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.layering)
  string(REPLACE ";" "," checked "${files}")
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DLAYER=${layer} -DFILES=${checked}
            -DSTAMP=${stamp} -P ${PROJECT_SOURCE_DIR}/cmake/CheckLayering.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/CheckLayering.cmake
            ${PROJECT_SOURCE_DIR}/cmake/Layering.cmake
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
