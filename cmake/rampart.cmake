# Helpers shared by every pillar's CMakeLists.txt.

# rampart_library(NAME SOURCES... DEPS ...)
# A pillar library; includes resolve from src/ ("ledger/merkle.h").
function(rampart_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# rampart_test(NAME SOURCES... DEPS ... [LABELS ...])
# A GoogleTest binary; each TEST becomes a CTest case. Label "unit" runs in the
# sanitizer build too; "integration" needs real processes and runs in the
# normal build.
function(rampart_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY RAMPART_UNIT_TESTS ${name})
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}"
               ENVIRONMENT "RAMPART_BIN=$<TARGET_FILE:rampart>;RAMPART_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# rampart_fuzzer(NAME SOURCE DEPS ...): a libFuzzer target, with its corpus in
# fuzz/<lib>/<name>_corpus/.
function(rampart_fuzzer name source)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY RAMPART_FUZZERS ${name})
endfunction()
