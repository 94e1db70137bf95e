#include "common/ids.hpp"

#include <algorithm>
#include <chrono>

#include "common/crypto.hpp"

namespace mock::common {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::size_t kRandomPool = 4096;

std::string to_hex(const std::string& raw, std::size_t n) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; out.size() < n; ++i) {
    const auto b = static_cast<unsigned char>(raw[i / 2]);
    out.push_back(kHexDigits[(i % 2 == 0) ? (b >> 4) : (b & 0x0f)]);
  }
  return out;
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

std::string IdGenerator::bytes_locked(std::size_t n) {
  switch (mode_) {
    case Mode::kRandom: {
      if (n > kRandomPool) return random_bytes(n);
      if (pool_.size() - pool_used_ < n) {
        pool_ = random_bytes(kRandomPool);
        pool_used_ = 0;
      }
      std::string out = pool_.substr(pool_used_, n);
      pool_used_ += n;
      return out;
    }
    case Mode::kSeeded: {
      std::string out(n, '\0');
      for (auto& c : out) c = static_cast<char>(engine_() & 0xff);
      return out;
    }
    case Mode::kSequential: {
      // Big-endian counter in the last 8 bytes, zeros before: SM000...0001, SM000...0002.
      ++counter_;
      std::string out(n, '\0');
      std::uint64_t v = counter_;
      for (std::size_t i = 0; i < n && i < 8; ++i) {
        out[n - 1 - i] = static_cast<char>(v & 0xff);
        v >>= 8;
      }
      return out;
    }
  }
  return std::string(n, '\0');
}

std::string IdGenerator::bytes(std::size_t n) {
  std::lock_guard lock(mutex_);
  return bytes_locked(n);
}

std::string IdGenerator::hex(std::size_t n) {
  std::lock_guard lock(mutex_);
  return to_hex(bytes_locked((n + 1) / 2), n);
}

std::string IdGenerator::sid(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  if (mode_ != Mode::kRandom) return prefix + to_hex(bytes_locked(16), 32);
  // Random mode: the creation time first (milliseconds since the epoch, 12 hex digits, never
  // going back), then 80 random bits. Still 32 hex digits, and ids sort by creation: a new
  // message's SID lands at the right edge of the store's SID index instead of on a random page.
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  last_ms_ = std::max(last_ms_, static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0)));
  std::string out = prefix;
  out.reserve(prefix.size() + 32);
  for (int shift = 44; shift >= 0; shift -= 4) out.push_back(kHexDigits[(last_ms_ >> shift) & 0xf]);
  out += to_hex(bytes_locked(10), 20);
  return out;
}

std::string IdGenerator::uuid4() {
  std::string raw;
  {
    std::lock_guard lock(mutex_);
    raw = bytes_locked(16);
  }
  // Version 4, variant 10xx (RFC 4122).
  raw[6] = static_cast<char>((static_cast<unsigned char>(raw[6]) & 0x0f) | 0x40);
  raw[8] = static_cast<char>((static_cast<unsigned char>(raw[8]) & 0x3f) | 0x80);
  const std::string h = to_hex(raw, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

}  // namespace mock::common
