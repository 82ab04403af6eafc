# cmake -DBUILD_DIR=... -DALLOWED=<target> -DFORBIDDEN=<target> -DHEADER=<include> -P check_layering.cmake
foreach(var BUILD_DIR ALLOWED FORBIDDEN HEADER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_layering.cmake: ${var} is not set")
  endif()
endforeach()

execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${ALLOWED}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the control ${ALLOWED} did not build, so the check proves nothing:\n${out}")
endif()
message(STATUS "${ALLOWED} builds")

execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${FORBIDDEN}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${FORBIDDEN} built: core can include <${HEADER}>")
endif()
string(FIND "${out}" "${HEADER}: No such file or directory" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${FORBIDDEN} failed, but not because <${HEADER}> is hidden:\n${out}")
endif()
message(STATUS "${FORBIDDEN} fails: <${HEADER}> is not visible to core")
