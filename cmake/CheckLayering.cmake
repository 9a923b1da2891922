# cmake -DLAYER=<layer> -DFILES=<f,g> [-DALLOWED=<a,b>] -DSTAMP=<file> -P CheckLayering.cmake
# cmake -DLAYER=<layer> -DDIR=<folder> [-DALLOWED=<a,b>] -DSTAMP=<file> -P CheckLayering.cmake
#
# Fails when a file includes a project header outside the folders its layer
# may use; writes STAMP otherwise. The build passes the FILES it listed with
# goose_layer_files() (cmake/Layering.cmake); DIR lists them here the same
# way, so a test walks a folder exactly as the build does. ALLOWED replaces
# the layer's rule (GOOSE_LAYER_<layer>) for a test.
#
# A project header is any "x", and any <x> that begins with one of the
# project's top folders (GOOSE_PROJECT_FOLDERS); other <x> are system
# headers (<vector>, <nlohmann/json.hpp>) and are not checked.
include(${CMAKE_CURRENT_LIST_DIR}/Layering.cmake)

if(DEFINED ALLOWED)
  string(REPLACE "," ";" allowed "${ALLOWED}")
elseif(DEFINED GOOSE_LAYER_${LAYER})
  set(allowed ${GOOSE_LAYER_${LAYER}})
else()
  message(FATAL_ERROR "cmake/Layering.cmake has no layer ${LAYER}")
endif()
if(DEFINED DIR)
  goose_layer_files(files "${DIR}")
else()
  string(REPLACE "," ";" files "${FILES}")
endif()

string(REPLACE ";" "|" project_folders "${GOOSE_PROJECT_FOLDERS}")
set(include_line "^[ \t]*#[ \t]*include[ \t]*")
set(errors "")
foreach(file IN LISTS files)
  file(STRINGS "${file}" includes REGEX "${include_line}(\"|<(${project_folders})/)")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "${include_line}([\"<][^\">]*[\">]).*$" "\\1" written "${line}")
    string(REGEX REPLACE "^.(.*).$" "\\1" header "${written}")
    set(ok FALSE)
    foreach(prefix IN LISTS allowed)
      string(FIND "${header}" "${prefix}/" at)
      if(at EQUAL 0)
        set(ok TRUE)
      endif()
    endforeach()
    if(NOT ok)
      string(APPEND errors "  ${file}: #include ${written}\n")
    endif()
  endforeach()
endforeach()
# In the core, JSON is parsed only by JsonParse (core/base/json.cc), which
# bounds its nesting; nlohmann's own parser elsewhere would not be.
if(LAYER MATCHES "^core/")
  foreach(file IN LISTS files)
    if(file MATCHES "core/base/json\\.cc$")
      continue()
    endif()
    file(STRINGS "${file}" parses REGEX "(Json|json)::(parse|sax_parse)\\(")
    if(parses)
      string(APPEND errors "  ${file}: parses JSON without JsonParse (core/base/json.h)\n")
    endif()
  endforeach()
endif()

if(errors)
  string(REPLACE ";" ", " shown "${allowed}")
  message(FATAL_ERROR "layering: code of ${LAYER} may include only ${shown}, and parse "
    "JSON only with JsonParse (cmake/Layering.cmake, docs/architecture.md):\n${errors}")
endif()
file(TOUCH "${STAMP}")
