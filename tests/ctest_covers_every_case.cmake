# Checks that CTest runs every Catch2 test case exactly once: the number of CTest entries (less this
# check) equals the number of TEST_CASEs the test binary defines. A name CTest cannot carry (a
# ';' splits it into two entries that match nothing) or a case left out shows up as a difference.
# Usage: cmake -DTESTS=<fleetsim_tests> -DCTEST=<ctest> -DBUILD=<build dir> -P ctest_covers_every_case.cmake
# Catch2 v2 exits with the number of names listed (capped at 255), so the exit code says nothing.
execute_process(COMMAND ${TESTS} --list-test-names-only OUTPUT_VARIABLE names)
string(REGEX MATCHALL "[^\n]+" names "${names}")
list(LENGTH names defined)
if(defined EQUAL 0)
  message(FATAL_ERROR "${TESTS} --list-test-names-only listed no test case")
endif()
execute_process(COMMAND ${CTEST} --test-dir ${BUILD} -N OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT listing MATCHES "Total Tests: ([0-9]+)")
  message(FATAL_ERROR "ctest -N failed (exit ${rc}):\n${listing}")
endif()
math(EXPR registered "${CMAKE_MATCH_1} - 1")
if(NOT registered EQUAL defined)
  foreach(name ${names})
    if(name MATCHES ";")
      message(STATUS "a test case name with ';', which CTest splits: ${name}")
    endif()
  endforeach()
  message(FATAL_ERROR "CTest has ${registered} entries for ${defined} test cases: every case must be one entry")
endif()
message(STATUS "CTest runs ${registered} entries for ${defined} test cases")
