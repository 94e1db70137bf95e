#pragma once
// HMAC-SHA1, SHA-256, base64 and random bytes, from OpenSSL only (house-style §3.9).
// This file and crypto.cpp alone include <openssl/...>. All functions are thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace mock::common {

// Raw 20-byte HMAC-SHA1 of `message` under `key`.
std::string hmac_sha1(std::string_view key, std::string_view message);
// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view data);

// Standard alphabet, '=' padding.
std::string base64_encode(std::string_view data);
// Strict: standard alphabet, length a multiple of 4, no whitespace. nullopt when invalid.
std::optional<std::string> base64_decode(std::string_view text);
// Lenient (TrueVault, truevault-api.md 1.3): strips all ASCII whitespace first (Ruby's
// Base64.encode64 wraps lines and adds "\n"), and accepts missing '=' padding.
std::optional<std::string> base64_decode_lenient(std::string_view text);

// `n` cryptographically random bytes. Aborts if the OpenSSL RNG fails (never returns junk).
std::string random_bytes(std::size_t n);

}  // namespace mock::common
