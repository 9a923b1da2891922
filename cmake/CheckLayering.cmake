# cmake -DLAYER=<layer> -DALLOWED=<a,b> -DFILES=<f,g> -DSTAMP=<file> -P CheckLayering.cmake
#
# Fails when a file includes a project header ("dir/x.h") outside the
# folders its layer may use (cmake/Layering.cmake); writes STAMP otherwise.
# System headers (<...>) are not checked.
string(REPLACE "," ";" allowed "${ALLOWED}")
string(REPLACE "," ";" files "${FILES}")
set(errors "")
foreach(file IN LISTS files)
  file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*$" "\\1" header "${line}")
    set(ok FALSE)
    foreach(prefix IN LISTS allowed)
      string(FIND "${header}" "${prefix}/" at)
      if(at EQUAL 0)
        set(ok TRUE)
      endif()
    endforeach()
    if(NOT ok)
      string(APPEND errors "  ${file}: #include \"${header}\"\n")
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
