// Soak (issue 7, "Concurrency and load"): mock_twilio and mock_truevault (wired with
// --twilio-url, both with --db files) under 16 client threads of mixed traffic for
// $MOCK_SOAK_SECONDS (default 60; the lead's --long run sets 600): the guide's SMS flow as the
// notifier, user reads and updates, group reads, Twilio list and fetch, /_mock/health.
// Asserts: every answer is the expected one; every TrueVault 200 has exactly one Twilio
// message with its SID, To, From and Body, and nothing else was created (both sides counted
// through /_mock/messages); memory is flat after warm-up (VmRSS sampled from /proc); the
// journal stays capped. Prints the figures the README quotes.
//
// Why --db files: the store is the one thing allowed to grow (every message is kept), and in
// :memory: it would grow the RSS by ~1 KB per message; on a file it grows the file, so the
// RSS measures what must stay flat: threads, caches, journal, connection pools.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tests/e2e/soak_support.hpp"
#include <signal.h>

namespace mock::testing::soak {
namespace {

constexpr int kThreads = 16;
// RSS growth allowed per server from the end of warm-up to the end of the run.
constexpr long kRssGrowthBoundKib = 8 * 1024;
// Under ASan (quarantine, shadow memory) and TSan the RSS grows by design: the figures are
// printed, the bound is checked only in plain builds. The test and the servers share flags.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

struct Totals {
  std::atomic<long> requests{0};
  std::atomic<long> sms_ok{0};
  std::mutex mutex;
  std::vector<std::string> errors;  // unexpected answers (the first 20 kept in full)
  long error_count = 0;
  // SID -> what TrueVault was asked to send (To, Body); From is kTwilioFrom.
  std::map<std::string, std::pair<std::string, std::string>> sent;
  std::set<std::string> duplicate_sids;  // a SID TrueVault answered twice

  void error(const std::string& what) {
    std::lock_guard lock(mutex);
    ++error_count;
    if (errors.size() < 20) errors.push_back(what);
  }
};

// One client: its own user (created first), a keep-alive connection to each server, and a
// fixed cycle of operations until `stop`.
void client_loop(int index, int tv_port, int tw_port, const std::atomic<bool>& stop,
                 Totals& totals) {
  auto tv = keep_alive_client(tv_port);
  auto tw = keep_alive_client(tw_port);
  const auto admin = basic(kTvAdminKey, "");
  const auto notifier = basic(kTvNotifierKey, "");
  const auto twilio_auth = basic(kTwilioAccount, kTwilioAuthToken);
  auto phone_of = [index](int variant) {
    return fmt::format("+1555005{:02d}{:02d}", index, variant);
  };

  // Checks an answer: returns the parsed body when the status is the expected one.
  auto expect = [&](const char* what, const httplib::Result& res, int status) -> json {
    totals.requests.fetch_add(1, std::memory_order_relaxed);
    if (!res) {
      totals.error(fmt::format("client {}: {}: no answer ({})", index, what,
                               httplib::to_string(res.error())));
      return json();
    }
    if (res->status != status) {
      totals.error(fmt::format("client {}: {}: HTTP {} (expected {}): {}", index, what, res->status,
                               status, res->body.substr(0, 300)));
      return json();
    }
    auto body = json::parse(res->body, nullptr, false);
    if (body.is_discarded()) {
      totals.error(
          fmt::format("client {}: {}: not JSON: {}", index, what, res->body.substr(0, 300)));
      return json();
    }
    return body;
  };

  json attributes = {
      {"phone", phone_of(0)}, {"email", fmt::format("soak-{}@example.com", index)}, {"n", 0}};
  const auto created = expect("create_user",
                              tv->Post("/v1/users", admin,
                                       json{{"username", fmt::format("soak-user-{}", index)},
                                            {"password", fmt::format("soak-password-{}", index)},
                                            {"attributes", attributes}}
                                           .dump(),
                                       "application/json"),
                              200);
  if (created.is_null()) return;
  const std::string user_id = created.at("user").at("id");
  const std::string user_path = "/v1/users/" + user_id;

  for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3: {  // the guide's SMS flow, then the message at Twilio
        const std::string text = fmt::format("soak {} {}", index, i);
        const auto sent = expect("send_sms",
                                 tv->Post(user_path + "/message/sms", notifier,
                                          guide_sms_request(text), "application/json"),
                                 200);
        if (sent.is_null()) break;
        const std::string sid = sent.value("provider_message_id", "");
        const std::string to = attributes.at("phone");
        {
          std::lock_guard lock(totals.mutex);
          if (!totals.sent.emplace(sid, std::make_pair(to, text)).second) {
            totals.duplicate_sids.insert(sid);
          }
        }
        totals.sms_ok.fetch_add(1, std::memory_order_relaxed);
        const auto m =
            expect("fetch_message",
                   tw->Get(twilio_messages_path() + "/" + sid + ".json", twilio_auth), 200);
        if (!m.is_null() && (m.value("to", "") != to || m.value("from", "") != kTwilioFrom ||
                             m.value("body", "") != text)) {
          totals.error(fmt::format("client {}: message {} is {}", index, sid, m.dump()));
        }
        break;
      }
      case 4: {  // read_user with attributes
        const auto u = expect("read_user", tv->Get(user_path + "?full=true", admin), 200);
        if (u.is_null()) break;
        const auto decoded = common::base64_decode(u.at("user").value("attributes", ""));
        if (!decoded || json::parse(*decoded, nullptr, false) != attributes) {
          totals.error(fmt::format("client {}: read_user attributes {}", index, u.dump()));
        }
        break;
      }
      case 5: {  // update_user: the phone alternates between two numbers
        attributes["phone"] = phone_of(static_cast<int>((i / 10) % 2));
        attributes["n"] = i;
        expect(
            "update_user",
            tv->Put(user_path, admin, json{{"attributes", attributes}}.dump(), "application/json"),
            200);
        break;
      }
      case 6:  // group reads
        expect("read_group",
               tv->Get(std::string("/v1/groups/") + kTvNotifiersGroup + "?full=true", admin), 200);
        expect("list_groups", tv->Get("/v1/groups", admin), 200);
        break;
      case 7: {  // Twilio list by To
        const std::string to = attributes.at("phone");
        const auto page = expect(
            "list_message",
            tw->Get(twilio_messages_path() + ".json?PageSize=20&To=" + common::url_encode(to),
                    twilio_auth),
            200);
        if (page.is_null()) break;
        for (const auto& m : page.at("messages")) {
          if (m.value("to", "") != to) {
            totals.error(fmt::format("client {}: list To={} gave {}", index, to, m.dump()));
          }
        }
        break;
      }
      case 8:  // health of both
        expect("truevault health", tv->Get("/_mock/health"), 200);
        expect("twilio health", tw->Get("/_mock/health"), 200);
        break;
      case 9:  // list_users
        expect("list_users", tv->Get("/v1/users", admin), 200);
        break;
    }
  }
}

struct RssSample {
  double at_s;
  long twilio_kib;
  long truevault_kib;
};

TEST_CASE("soak: 16 clients of mixed traffic, nothing lost or duplicated, memory flat",
          "[e2e][soak]") {
  const int seconds = std::max(5, std::stoi(env_or("MOCK_SOAK_SECONDS", "60")));
  const double warmup_s = std::max(10.0, seconds * 0.2);
  TempDir dir("mock-soak");
  auto pair = start_pair(dir.path(), dir.path());
  REQUIRE(pair.twilio.pid > 0);
  REQUIRE(pair.truevault.pid > 0);

  Totals totals;
  std::atomic<bool> stop{false};
  std::vector<RssSample> samples;
  const auto started = std::chrono::steady_clock::now();
  auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  std::thread sampler([&] {
    while (!stop.load()) {
      samples.push_back({elapsed_s(), rss_kib(pair.twilio.pid), rss_kib(pair.truevault.pid)});
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back(client_loop, t, pair.truevault.port, pair.twilio.port, std::cref(stop),
                         std::ref(totals));
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& c : clients) c.join();
  const double duration_s = elapsed_s();
  sampler.join();
  samples.push_back({duration_s, rss_kib(pair.twilio.pid), rss_kib(pair.truevault.pid)});

  // Every answer was the expected one.
  {
    INFO(fmt::format("{} unexpected answers; the first:\n{}", totals.error_count,
                     fmt::join(totals.errors, "\n")));
    CHECK(totals.error_count == 0);
  }
  CHECK(pair.twilio.process->running());
  CHECK(pair.truevault.process->running());

  // Nothing lost, nothing duplicated: Twilio holds exactly the messages TrueVault answered
  // 200 for, each once with its To, From and Body; TrueVault's outbox says the same.
  CHECK(totals.duplicate_sids.empty());
  const auto twilio = get_json(pair.twilio.port, "/_mock/messages");
  std::map<std::string, int> seen;
  long lost = 0;
  long wrong = 0;
  for (const auto& m : twilio.at("messages")) {
    const std::string sid = m.at("sid");
    ++seen[sid];
    auto it = totals.sent.find(sid);
    if (it == totals.sent.end()) continue;
    if (m.at("to") != it->second.first || m.at("from") != kTwilioFrom ||
        m.at("body") != it->second.second) {
      ++wrong;
    }
  }
  long duplicated = 0;
  long unexpected = 0;
  for (const auto& [sid, count] : seen) {
    if (count > 1) duplicated += count - 1;
    if (totals.sent.count(sid) == 0) ++unexpected;
  }
  for (const auto& [sid, expected] : totals.sent) {
    if (seen.count(sid) == 0) ++lost;
  }
  const auto outbox = get_json(pair.truevault.port, "/_mock/messages").at("messages");
  long outbox_success = 0;
  std::set<std::string> outbox_sids;
  for (const auto& e : outbox) {
    if (e.at("result") == "success") {
      ++outbox_success;
      outbox_sids.insert(e.at("provider_message_id").get<std::string>());
    }
  }
  CHECK(totals.sms_ok.load() > 0);
  CHECK(static_cast<long>(totals.sent.size()) == totals.sms_ok.load());
  CHECK(lost == 0);
  CHECK(duplicated == 0);
  CHECK(unexpected == 0);
  CHECK(wrong == 0);
  CHECK(static_cast<long>(twilio.at("messages").size()) == totals.sms_ok.load());
  CHECK(static_cast<long>(outbox.size()) == totals.sms_ok.load());
  CHECK(outbox_success == totals.sms_ok.load());
  CHECK(static_cast<long>(outbox_sids.size()) == totals.sms_ok.load());

  // The journal is capped (default 1000 entries), the oldest evicted.
  for (const Server* s : {&pair.twilio, &pair.truevault}) {
    const auto journal = get_json(s->port, "/_mock/journal");
    CHECK(journal.at("entries").size() <= journal.at("cap").get<std::size_t>());
    CHECK(journal.at("evicted").get<long>() > 0);
  }

  // Memory: flat after warm-up.
  RssSample at_warmup = samples.front();
  RssSample peak{0, 0, 0};
  for (const auto& s : samples) {
    if (s.at_s <= warmup_s) at_warmup = s;
    peak.twilio_kib = std::max(peak.twilio_kib, s.twilio_kib);
    peak.truevault_kib = std::max(peak.truevault_kib, s.truevault_kib);
  }
  const RssSample& start = samples.front();
  const RssSample& end = samples.back();
  const long requests = totals.requests.load();
  const std::string report = fmt::format(
      "soak: {} s, {} clients, {} requests ({:.0f} req/s), {} SMS through TrueVault, {} errors, "
      "{} lost, {} duplicated, {} unexpected; RSS MB start / after {:.0f} s warm-up / end / "
      "peak: mock_twilio {:.1f} / {:.1f} / {:.1f} / {:.1f}, mock_truevault {:.1f} / {:.1f} / "
      "{:.1f} / {:.1f}",
      seconds, kThreads, requests, static_cast<double>(requests) / duration_s, totals.sms_ok.load(),
      totals.error_count, lost, duplicated, unexpected, warmup_s,
      static_cast<double>(start.twilio_kib) / 1024,
      static_cast<double>(at_warmup.twilio_kib) / 1024, static_cast<double>(end.twilio_kib) / 1024,
      static_cast<double>(peak.twilio_kib) / 1024, static_cast<double>(start.truevault_kib) / 1024,
      static_cast<double>(at_warmup.truevault_kib) / 1024,
      static_cast<double>(end.truevault_kib) / 1024,
      static_cast<double>(peak.truevault_kib) / 1024);
  std::printf("%s\n", report.c_str());
  std::fflush(stdout);
  INFO(report);
  if (!kSanitized) {
    CHECK(end.twilio_kib - at_warmup.twilio_kib <= kRssGrowthBoundKib);
    CHECK(end.truevault_kib - at_warmup.truevault_kib <= kRssGrowthBoundKib);
  }

  CHECK(exit_code(pair.truevault.process->stop(SIGTERM, 10000)) == 0);
  CHECK(exit_code(pair.twilio.process->stop(SIGTERM, 10000)) == 0);
}

}  // namespace
}  // namespace mock::testing::soak
