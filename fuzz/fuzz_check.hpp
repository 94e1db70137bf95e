#pragma once
// FUZZ_CHECK(cond, what): a broken invariant aborts (a crash for libFuzzer, a failed ctest for
// corpus_driver.cpp), after printing what broke and where.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace mock::fuzz {

[[noreturn]] inline void invariant_broken(const char* file, int line, const char* cond,
                                          std::string_view what) {
  std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n  %.*s\n", file, line, cond,
               static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace mock::fuzz

#define FUZZ_CHECK(cond, what)                                                      \
  do {                                                                              \
    if (!(cond)) ::mock::fuzz::invariant_broken(__FILE__, __LINE__, #cond, (what)); \
  } while (false)
