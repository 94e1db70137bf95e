// read_twilio_reply(): the three members TwilioClient::send() uses, read by a one-pass scanner
// that checks the JSON itself. It must agree with what the DOM (nlohmann::json::parse, as
// send() did before) reports, body by body: on Twilio's replies, on odd bodies, and on every
// truncation and many one-byte mutations of them (validity included).

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

void check_agrees(const std::string& body) {
  INFO(body);
  const TwilioReply fast = read_twilio_reply(body);
  const TwilioReply dom = through_dom(body);
  CHECK(fast.is_object == dom.is_object);
  CHECK(fast.sid == dom.sid);
  CHECK(fast.code == dom.code);
  CHECK(fast.message == dom.message);
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
      "// comment\n{\"sid\":\"SM1\"}",
      // Validity as nlohmann sees it: escapes, surrogates, UTF-8, control characters, numbers,
      // literals, a byte-order mark, whitespace, nesting.
      R"({"\u0073id":"SM\u00e9\ud83d\ude00","message":"a\/b\\c\n\t\b\f\r"})", R"({"sid":"\ud83d"})",
      R"({"sid":"\ude00"})", R"({"sid":"\ud83d\u0041"})", R"({"sid":"\x41"})",
      R"({"sid":"\u12G4"})", R"({"sid":"\u0000"})",
      "{\"sid\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\"}",
      "{\"sid\":\"\xC0\xAF\"}", "{\"sid\":\"\xE0\x80\xAF\"}", "{\"sid\":\"\xED\xA0\x80\"}",
      "{\"sid\":\"\xF4\x90\x80\x80\"}", "{\"sid\":\"\xF5\x80\x80\x80\"}", "{\"sid\":\"\xFF\"}",
      "{\"sid\":\"\xC3\"}", "{\"sid\":\"\xE2\x82\"}", "{\"sid\":\"a\x01b\"}", "{\"sid\":\"a\x7F\"}",
      std::string("{\"sid\":\"a\0b\"}", 12), std::string("{\"sid\":1}\0", 10), R"({"code":0})",
      R"({"code":-0})", R"({"code":01})", R"({"code":-})", R"({"code":1.})", R"({"code":.5})",
      R"({"code":1e5})", R"({"code":1E+2})", R"({"code":2e-1})", R"({"code":1e})",
      R"({"code":9223372036854775807})", R"({"code":-9223372036854775808})",
      R"({"code":-9223372036854775809})", R"({"code":18446744073709551616})", R"({"code":+1})",
      R"({"a":true,"b":false,"c":null,"sid":"x"})", R"({"a":tru})", R"({"a":nul,"sid":"x"})",
      R"({"a":True})", "\xEF\xBB\xBF{\"sid\":\"SM1\"}", "\xEF\xBB{\"sid\":\"SM1\"}",
      " \t\r\n{ \"sid\" : \"SM1\" , \"code\" :\n7 } \n", "\x0B{\"sid\":\"SM1\"}",
      R"({"a":[1,[2,{"sid":"in"}],{}],"sid":"out","b":{"c":{"d":[]}}})", R"({"a":[1,]})",
      R"({"a":[,1]})", R"({"a":{"b"}})", R"({"a":{"b":}})", R"({"a" "b"})", R"({"a":1 "b":2})",
      R"({sid:"x"})", R"({'sid':'x'})", "{\"sid\":\"x\"}}", "{\"sid\":\"x\"]", "[]", "{}{}",
      std::string(200, '[') + std::string(200, ']'), "{\"a\":" + std::string(100, '[') + "}"};
  for (const auto& body : bodies) check_agrees(body);
  // The values themselves, for the replies that matter.
  CHECK(read_twilio_reply(bodies[0]).sid == "SM00000000000000000000000000000001");
  CHECK(read_twilio_reply(bodies[1]).code == 21211);
}

TEST_CASE("read_twilio_reply agrees with the DOM on every truncation and one-byte change",
          "[truevault][twilio_client]") {
  const std::vector<std::string> seeds = {
      R"({"account_sid":"AC1","body":"h\u00e9 \ud83d\ude00","error_code":null,"num_media":"0",)"
      R"("price":-0.0075,"sid":"SM1","code":21211,"status":"queued","uri":"/x.json",)"
      R"("subresource_uris":{"media":"/m.json"},"x":[true,false,1e3,{}]})",
      R"({"code":20003,"message":"Authenticate","more_info":"https://x","status":401})",
      "{\"sid\":\"caf\xC3\xA9 \xE2\x82\xAC\xF0\x9F\x98\x80\",\"message\":\"ok\"}"};
  // Bytes that change a token's meaning: structure, quotes, escapes, digits, signs, exponents,
  // letters of literals, whitespace, control and non-ASCII bytes.
  const std::string interesting =
      std::string("{}[]:,\"\\/u0123456789-+.eEtfnrlsaxd \t\n\r") +
      std::string("\0\x01\x1F\x7F\x80\xBF\xC0\xC3\xE2\xED\xEF\xF0\xF4\xFF", 14);
  std::size_t checked = 0;
  for (const auto& seed : seeds) {
    for (std::size_t n = 0; n <= seed.size(); ++n) {
      check_agrees(seed.substr(0, n));
      ++checked;
    }
    for (std::size_t at = 0; at < seed.size(); ++at) {
      for (char c : interesting) {
        std::string changed = seed;
        changed[at] = c;
        check_agrees(changed);
        std::string inserted = seed;
        inserted.insert(at, 1, c);
        check_agrees(inserted);
        checked += 2;
      }
      std::string removed = seed;
      removed.erase(at, 1);
      check_agrees(removed);
      ++checked;
    }
  }
  CHECK(checked > 10000);
}
