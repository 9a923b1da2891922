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
if(errors)
  string(REPLACE ";" ", " shown "${allowed}")
  message(FATAL_ERROR "layering: code of ${LAYER} may include only ${shown} "
    "(cmake/Layering.cmake, docs/architecture.md):\n${errors}")
endif()
file(TOUCH "${STAMP}")
