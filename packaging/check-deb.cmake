# ctest driver: build the .deb with CPack and check that it carries what a user needs.
file(REMOVE_RECURSE "${WORK}")
execute_process(COMMAND cpack -B "${WORK}" WORKING_DIRECTORY "${BUILD_DIR}" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack failed:\n${out}")
endif()
file(GLOB debs "${WORK}/*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one .deb in ${WORK}, found ${n}")
endif()
execute_process(COMMAND dpkg-deb -c ${debs} OUTPUT_VARIABLE contents RESULT_VARIABLE rc)
execute_process(COMMAND dpkg-deb -f ${debs} Depends OUTPUT_VARIABLE depends)
foreach(needed "usr/bin/doeff-studio" "usr/bin/doeff-run" "usr/bin/doeff-dap" "libdoeff.so." "cmake/Doeff/DoeffConfig.cmake"
        "cmake/Doeff/DoeffProgramLibrary.cmake" "include/doeff/doeff.h" "applications/org.doeff.Studio.desktop"
        "metainfo/org.doeff.Studio.metainfo.xml" "128x128/apps/doeff-studio.png"
        "scalable/apps/doeff-studio.svg" "man/man1/doeff-run.1" "man/man1/doeff-studio.1"
        "man/man1/doeff-dap.1")
  string(FIND "${contents}" "${needed}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the .deb lacks ${needed}:\n${contents}")
  endif()
endforeach()
foreach(dep libqt6core6 libqt6widgets6 libqcoro6core0)
  string(FIND "${depends}" "${dep}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the .deb does not depend on ${dep}: ${depends}")
  endif()
endforeach()
message(STATUS "deb ok: ${debs}\nDepends: ${depends}")
