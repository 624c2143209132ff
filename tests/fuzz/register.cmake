# Bounded fuzz runs as CTest tests (label "fuzz"), included by tests/CMakeLists.txt. The fuzzers
# are built by the clang build; this build only runs them, when IDSHIFT_FUZZ_BIN_DIR says where
# they are (tests/run-all sets it). Each run starts from a fresh copy of the seed corpus, so the
# checked-in corpus never changes under a test.
set(IDSHIFT_FUZZ_BIN_DIR "" CACHE PATH "Directory holding the libFuzzer binaries to run as tests")
set(IDSHIFT_FUZZ_SECONDS 60 CACHE STRING "How long each registered fuzz test runs")

if(IDSHIFT_FUZZ_BIN_DIR)
    foreach(fuzzer map_file acl_xattr)
        set(dict "")
        if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${fuzzer}.dict)
            set(dict -dict=${CMAKE_CURRENT_LIST_DIR}/${fuzzer}.dict)
        endif()
        add_test(NAME fuzz.${fuzzer}
                 COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.sh
                         ${IDSHIFT_FUZZ_BIN_DIR}/${fuzzer}_fuzz
                         ${CMAKE_CURRENT_LIST_DIR}/corpus/${fuzzer}
                         ${CMAKE_CURRENT_BINARY_DIR}/fuzz-work/${fuzzer}
                         -max_total_time=${IDSHIFT_FUZZ_SECONDS} ${dict})
        math(EXPR timeout "${IDSHIFT_FUZZ_SECONDS} + 120")
        set_tests_properties(fuzz.${fuzzer} PROPERTIES LABELS fuzz TIMEOUT ${timeout})
    endforeach()
endif()
