#pragma once
// Result<T, E>: what domain operations return. Expected failures are values (house-style §3.3).
// tl::expected mirrors C++23 std::expected, so migrating later is a rename. Code sticks to
// has_value(), operator bool, value(), error(), *, -> and the fail() helper below.

#include <tl/expected.hpp>

namespace mock::common {

template <class T, class E>
using Result = tl::expected<T, E>;

// fail(e) builds the error side: `return common::fail(errors::not_found(sid));`
template <class E>
auto fail(E&& error) {
  return tl::make_unexpected(std::forward<E>(error));
}

}  // namespace mock::common
