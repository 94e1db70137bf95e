#include "mock_twilio/http/serialize.hpp"

#include <ctime>

#include <catch2/catch.hpp>

#include "common/form.hpp"
#include "common/ids.hpp"
#include "mock_twilio/http/requests.hpp"

namespace mock::twilio::http {
namespace {

using namespace std::chrono_literals;

Message sample() {
  Message m;
  m.sid = "SM00000000000000000000000000000001";
  m.account_sid = "AC00000000000000000000000000000001";
  m.from = "+15557778888";
  m.to = "+15550001111";
  m.body = "hi";
  m.status = MessageStatus::kDelivered;
  m.date_created = TimePoint(1692853305s);  // Thu, 24 Aug 2023 05:01:45 +0000
  m.date_updated = m.date_created + 1s;
  m.date_sent = m.date_created + 1s;
  m.price = "-0.00790";
  m.price_unit = "USD";
  return m;
}

}  // namespace

TEST_CASE("RFC 2822 dates in GMT", "[twilio][serialize]") {
  CHECK(format_rfc2822(TimePoint(1692853305s)) == "Thu, 24 Aug 2023 05:01:45 +0000");
  CHECK(format_rfc2822(TimePoint(1692853305s + 999ms)) == "Thu, 24 Aug 2023 05:01:45 +0000");
  CHECK(format_rfc2822(TimePoint(0s)) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(format_rfc2822(TimePoint(1767225600s)) == "Thu, 01 Jan 2026 00:00:00 +0000");
}

TEST_CASE("SIDs: prefix + 32 lowercase hex", "[twilio][serialize]") {
  auto seq = common::IdGenerator::sequential();
  CHECK(seq.sid("SM") == "SM00000000000000000000000000000001");
  CHECK(seq.sid("SM") == "SM00000000000000000000000000000002");
  common::IdGenerator random;
  const auto sid = random.sid("SM");
  REQUIRE(sid.size() == 34);
  CHECK(sid.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
}

TEST_CASE("message JSON: the 20 keys in the spec's order", "[twilio][serialize]") {
  const auto j = message_json(sample());
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"account_sid",
                                         "api_version",
                                         "body",
                                         "date_created",
                                         "date_sent",
                                         "date_updated",
                                         "direction",
                                         "error_code",
                                         "error_message",
                                         "from",
                                         "messaging_service_sid",
                                         "num_media",
                                         "num_segments",
                                         "price",
                                         "price_unit",
                                         "sid",
                                         "status",
                                         "subresource_uris",
                                         "to",
                                         "uri"});
  CHECK(j["num_media"] == "0");
  CHECK(j["num_segments"] == "1");
  CHECK(j["price"] == "-0.00790");
  CHECK(j["error_code"].is_null());
  CHECK(j["messaging_service_sid"].is_null());
  CHECK(j["date_created"] == "Thu, 24 Aug 2023 05:01:45 +0000");
  CHECK(j["date_sent"] == "Thu, 24 Aug 2023 05:01:46 +0000");
  CHECK(j["direction"] == "outbound-api");
  CHECK(j["uri"] ==
        "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/"
        "SM00000000000000000000000000000001.json");
  CHECK(
      j["subresource_uris"].dump() ==
      R"({"media":"/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/SM00000000000000000000000000000001/Media.json","feedback":"/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/SM00000000000000000000000000000001/Feedback.json"})");
  auto queued = sample();
  queued.date_sent.reset();
  queued.price.reset();
  CHECK(message_json(queued)["date_sent"].is_null());
  CHECK(message_json(queued)["price"].is_null());
}

TEST_CASE("message text: byte for byte message_json's dump, whatever the fields hold",
          "[twilio][serialize]") {
  const auto dump = [](const Message& m) {
    return message_json(m).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  };
  std::vector<Message> cases;
  cases.push_back(sample());
  auto queued = sample();  // nulls: no sender, no price, no date_sent; a Messaging Service
  queued.from.reset();
  queued.price.reset();
  queued.price_unit.reset();
  queued.date_sent.reset();
  queued.messaging_service_sid = "MG00000000000000000000000000000001";
  queued.status = MessageStatus::kAccepted;
  queued.num_segments = 0;
  cases.push_back(queued);
  auto failed = sample();  // an error code and message, an MMS
  failed.status = MessageStatus::kFailed;
  failed.error_code = 30008;
  failed.error_message = "Unknown error";
  failed.num_media = 2;
  failed.sid = "MM00000000000000000000000000000002";
  failed.direction = Direction::kInbound;
  cases.push_back(failed);
  // Bodies that need escaping: quotes, backslashes, control characters, DEL, UTF-8 (GSM and
  // beyond), invalid UTF-8 (replaced by U+FFFD), an empty body.
  for (const std::string& body :
       {std::string("say \"hi\" \\ bye"), std::string("line\nbreak\ttab\r\b\f"),
        std::string("nul\0byte", 8), std::string("\x01\x1f\x7f"),
        std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
        std::string("bad \xff\xfe utf8 \xc3"), std::string(), std::string(2000, 'x')}) {
    auto m = sample();
    m.body = body;
    cases.push_back(m);
  }
  // Dates near both ends of what a nanosecond TimePoint holds (1677-2262; years 1 and 10000,
  // tried before, overflowed it: UBSan) and inside, with milliseconds.
  for (const auto t : {TimePoint(0s), TimePoint(-9'000'000'000s), TimePoint(9'000'000'000s),
                       TimePoint(1767225599s + 999ms), TimePoint(951782400s)}) {
    auto m = sample();
    m.date_created = m.date_updated = t;
    m.date_sent = t;
    cases.push_back(m);
  }
  for (const auto& m : cases) {
    INFO(dump(m));
    CHECK(message_text(m) == dump(m));
  }
}

TEST_CASE("RFC 2822 dates: the fast path agrees with strftime over the years",
          "[twilio][serialize]") {
  // One instant per ~29 days across 1970-2100 (every weekday, month, leap years).
  for (std::int64_t s = 0; s < 4102444800; s += 2500000 + 3601) {
    const TimePoint t{std::chrono::seconds(s)};
    const std::time_t secs = s;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const std::size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    REQUIRE(format_rfc2822(t) == std::string(buf, n));
  }
}

TEST_CASE("error envelope: exactly code / message / more_info / status", "[twilio][serialize]") {
  CHECK(
      error_json(errors::to_required()).dump() ==
      R"({"code":21604,"message":"A 'To' phone number is required.","more_info":"https://www.twilio.com/docs/errors/21604","status":400})");
}

TEST_CASE("page envelope: keys / counters and URIs echoing the filters", "[twilio][serialize]") {
  ListMessageRequest r;
  r.to = "+123456789";
  r.from = "+987654321";
  r.date_sent_after = "2008-01-02";
  r.page_size = "2";
  MessagePage page;
  page.page = 0;
  page.page_size = 2;
  page.messages = {sample(), sample()};
  page.messages[1].sid = "MMc26223853f8c46b4ab7dfaa6abba0a26";
  page.next_page_token = "PAMMc26223853f8c46b4ab7dfaa6abba0a26";
  const auto j = page_json("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", r, page);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"end", "first_page_uri", "next_page_uri", "page",
                                         "page_size", "previous_page_uri", "start", "uri",
                                         "messages"});
  // The spec's own example (readFullPage1), byte for byte.
  CHECK(j["first_page_uri"] ==
        "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json?To=%2B123456789&"
        "From=%2B987654321&DateSent%3E=2008-01-02&PageSize=2&Page=0");
  CHECK(j["next_page_uri"] ==
        "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json?To=%2B123456789&"
        "From=%2B987654321&DateSent%3E=2008-01-02&PageSize=2&Page=1&"
        "PageToken=PAMMc26223853f8c46b4ab7dfaa6abba0a26");
  CHECK(j["uri"] == j["first_page_uri"]);
  CHECK(j["previous_page_uri"].is_null());
  CHECK(j["start"] == 0);
  CHECK(j["end"] == 1);
  CHECK(j["page_size"] == 2);

  MessagePage empty;
  empty.page = 3;
  empty.page_size = 10;
  const auto e = page_json("AC1", ListMessageRequest{}, empty);
  CHECK(e["start"] == 30);
  CHECK(e["end"] == 0);
  CHECK(e["messages"].empty());
  CHECK(e["next_page_uri"].is_null());
}

TEST_CASE("form fields -> requests: + and %20 / repeated MediaUrl / unknown keys",
          "[twilio][form]") {
  const auto form = common::parse_urlencoded(
      "To=%2B15550001111&From=%2B15557778888&Body=Hello+big%20world%21&MediaUrl=https%3A%2F%2Fe.x"
      "%2Fa.png&MediaUrl=https%3A%2F%2Fe.x%2Fb.png&MessageIntent=marketing&Tags=x");
  const auto r = create_request_from(form);
  CHECK(r.to == "+15550001111");
  CHECK(r.from == "+15557778888");
  CHECK(r.body == "Hello big world!");
  CHECK(r.media_urls == std::vector<std::string>{"https://e.x/a.png", "https://e.x/b.png"});
  CHECK_FALSE(r.messaging_service_sid);

  const auto q = list_request_from(common::parse_urlencoded(
      "To=%2B15005550006&DateSent=2024-03-05T00%3A00%3A00Z&DateSent%3C=2024-03-06&"
      "DateSent%3E=2024-03-01&PageSize=20&Page=2&PageToken=PAxyz"));
  CHECK(q.to == "+15005550006");
  CHECK(q.date_sent == "2024-03-05T00:00:00Z");
  CHECK(q.date_sent_before == "2024-03-06");
  CHECK(q.date_sent_after == "2024-03-01");
  CHECK(q.page_size == "20");
  CHECK(q.page == "2");
  CHECK(q.page_token == "PAxyz");

  const auto u = update_request_from(common::parse_urlencoded("Body="));
  CHECK(u.body == "");
  CHECK_FALSE(u.status);
}

}  // namespace mock::twilio::http
