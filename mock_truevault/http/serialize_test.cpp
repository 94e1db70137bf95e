// write_sms_sent(): the SMS answer written by hand, byte for byte what write_success() dumps.

#include "mock_truevault/http/serialize.hpp"

#include <catch2/catch.hpp>

#include "common/ids.hpp"

namespace mock::truevault::http {
namespace {

TEST_CASE("write_sms_sent writes what write_success writes", "[truevault][serialize]") {
  for (const std::string& sid : std::vector<std::string>{
           "SM00000000000000000000000000000001", "SM018f9c3a2b1e4f0c9a8b7c6d5e4f3a2b", "", "a b",
           "quote\"d", "back\\slash", std::string("nul\0x", 5), "tab\t", "caf\xc3\xa9", "bad\xff",
           "\x7f"}) {
    INFO(sid);
    common::IdGenerator a(7);
    common::IdGenerator b(7);  // the same transaction_id on both sides
    httplib::Response fast;
    httplib::Response dom;
    write_sms_sent(a, fast, sid);
    write_success(b, dom, {{"provider_message_id", sid}});
    CHECK(fast.status == 200);
    CHECK(fast.status == dom.status);
    CHECK(fast.body == dom.body);
    CHECK(fast.get_header_value("Content-Type") == dom.get_header_value("Content-Type"));
  }
  common::IdGenerator ids(7);
  httplib::Response res;
  write_sms_sent(ids, res, "SM1");
  const auto body = nlohmann::json::parse(res.body);
  CHECK(body.size() == 3);
  CHECK(body["provider_message_id"] == "SM1");
  CHECK(body["result"] == "success");
  CHECK(body["transaction_id"].get<std::string>().size() == 36);
}

}  // namespace
}  // namespace mock::truevault::http
