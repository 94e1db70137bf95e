// read_twilio_reply(): the three members TwilioClient::send() uses, read by a SAX pass. It must
// agree with what the DOM (nlohmann::json::parse, as send() did before) reports, body by body.

#include "mock_truevault/http/twilio_client.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using mock::truevault::http::read_twilio_reply;
using mock::truevault::http::TwilioReply;

namespace {

// What send() read through the DOM before the SAX pass.
TwilioReply through_dom(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  TwilioReply out;
  if (!doc.is_object()) return out;
  out.is_object = true;
  if (doc.contains("sid") && doc["sid"].is_string()) out.sid = doc["sid"].get<std::string>();
  if (doc.contains("code") && doc["code"].is_number_integer()) {
    out.code = doc["code"].get<std::int64_t>();
  }
  if (doc.contains("message") && doc["message"].is_string()) {
    out.message = doc["message"].get<std::string>();
  }
  return out;
}

}  // namespace

TEST_CASE("read_twilio_reply agrees with the DOM on Twilio's replies and odd bodies",
          "[truevault][twilio_client]") {
  const std::vector<std::string> bodies = {
      // A created message (abridged) and Twilio's error envelope.
      R"({"account_sid":"AC00000000000000000000000000000001","body":"hi","error_code":null,)"
      R"("num_segments":"1","price":null,"sid":"SM00000000000000000000000000000001",)"
      R"("status":"queued","subresource_uris":{"media":"/x/Media.json","sid":"nested"}})",
      R"({"code":21211,"message":"The 'To' number +1555 is not a valid phone number.",)"
      R"("more_info":"https://www.twilio.com/docs/errors/21211","status":400})",
      R"({"code":20003,"message":"Authenticate","more_info":"x","status":401})",
      // Members of the wrong type, nested, duplicated, or absent.
      R"({"sid":5})", R"({"sid":null})", R"({"sid":{"sid":"x"}})", R"({"sid":["SM1"]})",
      R"({"a":{"sid":"inner","code":1,"message":"m"}})", R"({"sid":"a","sid":"b"})",
      R"({"sid":"a","sid":7})", R"({"code":1.5})", R"({"code":"20003"})", R"({"code":-3})",
      R"({"code":18446744073709551615})", R"({"code":1,"code":true})", R"({"message":false})",
      R"({"x":[{"code":1}],"code":2})", R"({})", R"({"sid":"\u0053M\"1"})",
      // Not one JSON object.
      R"([{"sid":"SM1"}])", R"("sid")", "42", "null", "", "<html>502</html>",
      R"({"sid":"SM1"} trailing)", R"({"sid":"SM1")", R"({"sid":"SM1",})", "{\"sid\":\"SM1\"} ",
      "// comment\n{\"sid\":\"SM1\"}"};
  for (const auto& body : bodies) {
    INFO(body);
    const TwilioReply sax = read_twilio_reply(body);
    const TwilioReply dom = through_dom(body);
    CHECK(sax.is_object == dom.is_object);
    CHECK(sax.sid == dom.sid);
    CHECK(sax.code == dom.code);
    CHECK(sax.message == dom.message);
  }
  // And the values themselves, for the two replies that matter.
  CHECK(read_twilio_reply(bodies[0]).sid == "SM00000000000000000000000000000001");
  CHECK(read_twilio_reply(bodies[1]).code == 21211);
}
