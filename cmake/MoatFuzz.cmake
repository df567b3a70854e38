# moat_add_fuzzer(NAME SOURCE): with the libfuzzer engine (clang) a real fuzzer,
# otherwise a replay binary that runs the checked-in corpus under ctest.
function(moat_add_fuzzer name source)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE moat::core moatd_lib moatctl_lib moat::warnings)
  # tests/support/temp_dir.h: the one temporary directory helper.
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  # Only the runtime's fuzzers link its library, so the others stay as they
  # were; the libFuzzer build compiles it once for them.
  if(name MATCHES "^runtime_")
    target_link_libraries(${name} PRIVATE moat_runtime_lib)
  endif()
  set(corpus ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  if(MOAT_FUZZ_ENGINE STREQUAL "libfuzzer")
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${name} PRIVATE ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cc)
    if(MOAT_BUILD_TESTS)
      add_test(NAME fuzz_replay.${name} COMMAND ${name} ${corpus})
      set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS fuzz-replay)
    endif()
  endif()
endfunction()
