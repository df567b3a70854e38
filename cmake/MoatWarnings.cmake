# Warnings for our own code only; linked PRIVATE so they never leak to consumers.
add_library(moat_warnings INTERFACE)
add_library(moat::warnings ALIAS moat_warnings)
target_compile_options(moat_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
  -Wformat=2 -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough
  -Wcast-qual)
if(MOAT_WERROR)
  target_compile_options(moat_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O3 reports overlapping copies inside std::string that cannot
# happen (GCC bug 105329); the release benchmark build would not compile.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(moat_warnings INTERFACE -Wno-restrict)
endif()
