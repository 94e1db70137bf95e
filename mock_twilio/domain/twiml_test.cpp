// The TwiML reader: replies, entities, CDATA, and every refusal (malformed, DOCTYPE/XXE).
#include "mock_twilio/domain/twiml.hpp"

#include <catch2/catch.hpp>

namespace mock::twilio {

TEST_CASE("parse_twiml: messages, Body, attributes, entities, CDATA", "[twilio][twiml]") {
  auto r = parse_twiml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- reply -->\n<Response>\n"
      "  <Message>Thanks &amp; bye &#x1F44D;</Message>\n"
      "  <Message to=\"+15550001111\" from='+15557778888'><Body><![CDATA[a <b> c]]></Body>"
      "<Media>https://e.x/a.png</Media></Message>\n"
      "  <Redirect>https://ignored</Redirect>\n</Response>");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].body == "Thanks & bye \xF0\x9F\x91\x8D");
  CHECK_FALSE((*r)[0].to);
  CHECK((*r)[1].body == "a <b> c");
  CHECK((*r)[1].to == "+15550001111");
  CHECK((*r)[1].from == "+15557778888");
  CHECK((*r)[1].media == std::vector<std::string>{"https://e.x/a.png"});
}

TEST_CASE("parse_twiml: empty answers mean no reply", "[twilio][twiml]") {
  for (const char* text :
       {"", "  \n", "<Response/>", "<?xml version=\"1.0\"?><Response></Response>"}) {
    INFO(text);
    auto r = parse_twiml(text);
    REQUIRE(r);
    CHECK(r->empty());
  }
}

TEST_CASE("parse_twiml: malformed input is an error, never a crash", "[twilio][twiml]") {
  struct Case {
    std::string xml;
    std::string error;
  };
  const Case cases[] = {
      {"<Response><Message>hi</Response>", "mismatched end tag (expected </Message>) at offset 31"},
      {"<Response><Message>hi", "missing </Message> at offset 21"},
      {"<Response>", "missing </Response> at offset 10"},
      {"just text", "expected '<' at offset 0"},
      {"<Response/><Response/>", "content after the root element at offset 11"},
      {"<Message>hi</Message>", "the root element is <Message>, not <Response>"},
      {"<Response><Message>&bogus;</Message></Response>",
       "unknown or malformed entity reference at offset 19"},
      {"<Response a=b/>", "expected a quoted attribute value at offset 12"},
      {"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Response>&x;</Response>",
       "DOCTYPE declarations are not allowed"},
      {"<Response><!ENTITY x \"y\"></Response>", "declarations are not allowed here at offset 10"},
      {"<Response><Message>&#0;</Message></Response>",
       "unknown or malformed entity reference at offset 19"},
      {std::string(40, '<'), "expected an element name at offset 1"},
  };
  for (const auto& c : cases) {
    INFO(c.xml);
    auto r = parse_twiml(c.xml);
    REQUIRE_FALSE(r);
    CHECK(r.error() == c.error);
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  auto r = parse_twiml(deep);
  REQUIRE_FALSE(r);
  CHECK(r.error() == "elements nested too deeply at offset 96");
}

}  // namespace mock::twilio
