# Compiler flags shared by every keras.cpp target.
function(keras_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(KERAS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(KERAS_NATIVE)
  add_compile_options(-march=native)
  # GCC 12 (Debian 12's compiler) miscompiles some vector constants with AVX-512 at -O3: a
  # std::vector<double>{2, 2, 0, 0, 0, 0, 0, 0} came out as eight 2s on an AVX-512 machine.
  # Without AVX-512 the code is correct. The kernels that gain from it (the LSTM inference cell,
  # the 2-D Winograd transforms) get it through target attributes, picked at run time and checked
  # against the reference backend in the tests.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    include(CheckCXXCompilerFlag)
    check_cxx_compiler_flag(-mno-avx512f KERAS_HAS_MNO_AVX512F)
    if(KERAS_HAS_MNO_AVX512F)
      add_compile_options(-mno-avx512f)
    endif()
  endif()
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  # Our kernels never rely on floating-point traps or errno; without them GCC if-converts and
  # vectorizes the branch-free exp/sigmoid/tanh loops (fast_math.h) on AVX2 as well.
  add_compile_options(-O3 -fno-math-errno -fno-trapping-math)
endif()
if(KERAS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(KERAS_BUILD_FUZZERS)
  # Coverage feedback for libFuzzer from every keras.cpp object (the drivers add -fsanitize=fuzzer).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
