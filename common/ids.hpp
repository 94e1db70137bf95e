#pragma once
// The only source of randomness for ids (house-style §3.7).
//   random:     OpenSSL RAND_bytes (default without --seed)
//   seeded:     a deterministic generator seeded by --seed N: same ids every run
//   sequential: counters, for tests that want readable ids (SM000...0001)
// Thread safety: all methods may be called concurrently.

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace mock::common {

class IdGenerator {
 public:
  enum class Mode { kRandom, kSeeded, kSequential };

  // Random mode.
  IdGenerator();
  // Seeded mode with `seed`.
  explicit IdGenerator(std::uint64_t seed);
  static IdGenerator sequential();

  // `n` lowercase hex digits.
  std::string hex(std::size_t n);
  // Twilio-style SID: prefix + 32 lowercase hex digits.
  std::string sid(const std::string& prefix);
  // Lowercase hyphenated UUID version 4.
  std::string uuid4();
  // `n` random bytes (tokens).
  std::string bytes(std::size_t n);

  // Back to the start of the sequence: seeded mode with `seed` if given, else the mode and
  // seed this generator was built with.
  void reseed(std::optional<std::uint64_t> seed);
  Mode mode() const;

 private:
  explicit IdGenerator(Mode mode, std::uint64_t seed);
  // `n` bytes of this generator's sequence written to `out`; mutex_ held.
  void fill_locked(char* out, std::size_t n);

  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  Mode mode_;
  std::uint64_t seed_;
  std::mt19937_64 engine_;
  std::uint64_t counter_ = 0;
  std::uint64_t last_ms_ = 0;  // random mode's sid(): the last time prefix handed out
  // Random mode: OpenSSL output fetched kRandomPool bytes at a time (one RAND_bytes call, and
  // its getpid() check, per ~250 ids instead of one per id) and handed out once each.
  std::string pool_;
  std::size_t pool_used_ = 0;
};

}  // namespace mock::common
