#pragma once
// Test-only (header-only): the TrueVault ids of fixtures/default.json that tests name. The
// HTTP integration tests find them in the default fixture; the domain unit tests' World
// (test_world.hpp) builds its own small fixture with the same ids.

namespace mock::truevault::testing {

inline constexpr const char* kAccount = "00000000-0000-4000-a000-000000000001";
inline constexpr const char* kOtherAccount = "00000000-0000-4000-a000-000000000002";
inline constexpr const char* kAdminId = "00000000-0000-4000-a000-000000000101";
inline constexpr const char* kNotifierId = "00000000-0000-4000-a000-000000000102";
inline constexpr const char* kReadonlyId = "00000000-0000-4000-a000-000000000103";
inline constexpr const char* kPatientId = "4a635639-fcf5-4cca-9b79-25376fdb460f";
inline constexpr const char* kOtherAdminId = "00000000-0000-4000-a000-000000000111";
inline constexpr const char* kAdminKey = "00000000-0000-4000-a000-0000000000a1";
inline constexpr const char* kNotifierKey = "00000000-0000-4000-a000-0000000000a2";
inline constexpr const char* kReadonlyKey = "00000000-0000-4000-a000-0000000000a3";
inline constexpr const char* kOtherAdminKey = "00000000-0000-4000-a000-0000000000b1";
inline constexpr const char* kFullAdminGroup = "00000000-0000-4000-a000-000000000201";
inline constexpr const char* kReadOnlyGroup = "00000000-0000-4000-a000-000000000202";
inline constexpr const char* kWriteOnlyGroup = "00000000-0000-4000-a000-000000000203";
inline constexpr const char* kNotifiersGroup = "00000000-0000-4000-a000-000000000204";
inline constexpr const char* kOtherAdminGroup = "00000000-0000-4000-a000-000000000211";

}  // namespace mock::truevault::testing
