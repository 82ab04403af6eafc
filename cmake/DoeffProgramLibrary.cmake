# doeff_add_program_library(<name> <source>...)
#
# Builds a program library: a shared object whose sources register programs with
# DOEFF_PROGRAM(...) and export them with DOEFF_PROGRAM_LIBRARY(). `doeff-run --library` and
# the Studio load it. The sources are compiled into the shared object itself (not a static
# archive), so no registration is dropped by the linker.
function(doeff_add_program_library name)
  if(NOT ARGN)
    message(FATAL_ERROR "doeff_add_program_library(${name}): no sources given")
  endif()
  add_library(${name} SHARED ${ARGN})
  target_link_libraries(${name} PRIVATE Doeff::Engine)
  set_target_properties(${name} PROPERTIES
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    # the engine must be shared with the host that loads the library, never duplicated
    LINK_WHAT_YOU_USE OFF)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${name} PRIVATE -fcoroutines)
  endif()
endfunction()
