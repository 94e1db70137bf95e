#include "common/ids.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/crypto.hpp"

namespace mock::common {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::size_t kRandomPool = 4096;

// `n` hex digits of `raw` (two per byte, high nibble first) written to `out`.
void put_hex(char* out, const char* raw, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(raw[i / 2]);
    out[i] = kHexDigits[(i % 2 == 0) ? (b >> 4) : (b & 0x0f)];
  }
}

}  // namespace

IdGenerator::IdGenerator() : IdGenerator(Mode::kRandom, 0) {}
IdGenerator::IdGenerator(std::uint64_t seed) : IdGenerator(Mode::kSeeded, seed) {}
IdGenerator::IdGenerator(Mode mode, std::uint64_t seed) : mode_(mode), seed_(seed), engine_(seed) {}
IdGenerator IdGenerator::sequential() { return IdGenerator(Mode::kSequential, 0); }

IdGenerator::Mode IdGenerator::mode() const {
  std::lock_guard lock(mutex_);
  return mode_;
}

void IdGenerator::reseed(std::optional<std::uint64_t> seed) {
  std::lock_guard lock(mutex_);
  if (seed) {
    mode_ = Mode::kSeeded;
    seed_ = *seed;
  }
  engine_.seed(seed_);
  counter_ = 0;
}

void IdGenerator::fill_locked(char* out, std::size_t n) {
  switch (mode_) {
    case Mode::kRandom: {
      if (n > kRandomPool) {
        const std::string direct = random_bytes(n);
        std::memcpy(out, direct.data(), n);
        return;
      }
      if (pool_.size() - pool_used_ < n) {
        pool_ = random_bytes(kRandomPool);
        pool_used_ = 0;
      }
      std::memcpy(out, pool_.data() + pool_used_, n);
      pool_used_ += n;
      return;
    }
    case Mode::kSeeded:
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>(engine_() & 0xff);
      return;
    case Mode::kSequential: {
      // Big-endian counter in the last 8 bytes, zeros before: SM000...0001, SM000...0002.
      ++counter_;
      std::memset(out, 0, n);
      std::uint64_t v = counter_;
      for (std::size_t i = 0; i < n && i < 8; ++i) {
        out[n - 1 - i] = static_cast<char>(v & 0xff);
        v >>= 8;
      }
      return;
    }
  }
  std::memset(out, 0, n);
}

std::string IdGenerator::bytes(std::size_t n) {
  std::string out(n, '\0');
  std::lock_guard lock(mutex_);
  fill_locked(out.data(), n);
  return out;
}

std::string IdGenerator::hex(std::size_t n) {
  std::string raw((n + 1) / 2, '\0');
  {
    std::lock_guard lock(mutex_);
    fill_locked(raw.data(), raw.size());
  }
  std::string out(n, '\0');
  put_hex(out.data(), raw.data(), n);
  return out;
}

std::string IdGenerator::sid(const std::string& prefix) {
  std::string out = prefix;
  out.resize(prefix.size() + 32);
  char* digits = out.data() + prefix.size();
  char raw[16];
  std::lock_guard lock(mutex_);
  if (mode_ != Mode::kRandom) {
    fill_locked(raw, 16);
    put_hex(digits, raw, 32);
    return out;
  }
  // Random mode: the creation time first (milliseconds since the epoch, 12 hex digits, never
  // going back), then 80 random bits. Still 32 hex digits, and ids sort by creation: a new
  // message's SID lands at the right edge of the store's SID index instead of on a random page.
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  last_ms_ = std::max(last_ms_, static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0)));
  for (int i = 0; i < 12; ++i) digits[i] = kHexDigits[(last_ms_ >> (44 - 4 * i)) & 0xf];
  fill_locked(raw, 10);
  put_hex(digits + 12, raw, 20);
  return out;
}

std::string IdGenerator::uuid4() {
  char raw[16];
  {
    std::lock_guard lock(mutex_);
    fill_locked(raw, 16);
  }
  // Version 4, variant 10xx (RFC 4122).
  raw[6] = static_cast<char>((static_cast<unsigned char>(raw[6]) & 0x0f) | 0x40);
  raw[8] = static_cast<char>((static_cast<unsigned char>(raw[8]) & 0x3f) | 0x80);
  // 8-4-4-4-12 hex digits.
  std::string out(36, '-');
  put_hex(out.data(), raw, 8);
  put_hex(out.data() + 9, raw + 4, 4);
  put_hex(out.data() + 14, raw + 6, 4);
  put_hex(out.data() + 19, raw + 8, 4);
  put_hex(out.data() + 24, raw + 10, 12);
  return out;
}

}  // namespace mock::common
