#pragma once
// The request journal both servers keep (issue 5, house-style §3.5 "recorder"): a bounded
// list of the vendor requests a server answered, oldest evicted first, and the recorder that
// turns a journal into a scenario (scenarios/README.md).
//
// What an entry holds (GET /_mock/journal):
//   {"seq": 7, "service": "twilio", "time": "2026-01-01T00:00:00.000Z", "time_us": N,
//    "method": "POST", "path": "/2010-04-01/...", "query": "PageSize=2" (raw, may be ""),
//    "headers": {"Authorization": ..., "Content-Type": ..., "User-Agent": ...} (only those),
//    "body": "raw request body" (multipart: re-encoded as urlencoded fields),
//    "status": 201, "response": <JSON, or the raw text when not JSON>}
// `time` comes from the service's Clock, so with --clock manual two replays give identical
// journals. Control-plane requests (/_mock/*) are never journaled.
//
// Secrets: the Authorization header is kept verbatim because a recording must be replayable;
// the journal is served by the unauthenticated control plane, like /_mock/state, which holds
// the same credentials. The recorder turns credentials into {{vars}} and masks PII.
//
// Thread safety: Journal's methods may be called concurrently.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"

namespace mock::common {

inline constexpr std::size_t kDefaultJournalCap = 1000;

// One answered request as the post-routing hook saw it: plain copies, no JSON. The entry
// above is built from it only when the journal is read (to_json()), because recording runs
// on every request's path and parsing each response back into JSON cost more than the rest
// of a GET (bench/README.md, "Where the time goes").
struct JournalRecord {
  std::string service;
  TimePoint time;
  std::string method;
  std::string path;
  std::string query;
  // Authorization, Content-Type, User-Agent: those the request carried, in that order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int status = 0;
  std::string response;          // the body as sent: compressed when content_encoding says so
  std::string content_encoding;  // the response's Content-Encoding ("" when none)

  // The entry above, without "seq"; the response decompressed and parsed here.
  nlohmann::json to_json() const;
};

class Journal {
 public:
  explicit Journal(std::size_t cap = kDefaultJournalCap) : cap_(cap) {}

  // Appends `entry` (its "seq" is set here); evicts the oldest past the cap.
  void add(JournalRecord entry);
  void add(nlohmann::json entry);
  // {"cap": N, "evicted": N, "entries": [...]}, oldest first.
  nlohmann::json to_json() const;
  std::vector<nlohmann::json> entries() const;
  // Empties the journal and restarts seq at 1.
  void clear();
  std::size_t cap() const { return cap_; }

 private:
  struct Item {
    std::uint64_t seq;
    std::variant<JournalRecord, nlohmann::json> entry;  // a record, or an entry given as JSON
  };
  // Appends `item`; returns the entry it evicted, to be destroyed after the lock is released.
  std::optional<Item> push_locked(Item item);

  const std::size_t cap_;
  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  std::deque<Item> entries_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t evicted_ = 0;
};

// The journal record of a request the server answered; `service` is "twilio" or "truevault".
JournalRecord journal_entry(const std::string& service, TimePoint now, const httplib::Request& req,
                            const httplib::Response& res);

// The User-Agent mock_truevault sends when it forwards an SMS to Twilio: such requests are a
// side effect of a TrueVault step, not steps of their own, so the recorder skips them.
inline constexpr const char* kForwardedUserAgent = "mock-truevault";

struct RecordOptions {
  std::string name = "recorded";
  std::string description = "recorded with mockenv record";
  std::string fixture = "default";
  std::optional<std::uint64_t> seed;
  bool keep_pii = false;  // false: TrueVault attribute values are masked
};

// Orders entries of several journals by time_us, then service (truevault first), then seq.
// Across two servers only the system clock orders a session: under a manual clock every entry
// has the same time (mockenv record says so).
std::vector<nlohmann::json> merge_journals(std::vector<nlohmann::json> entries);

// Turns journal entries (in order) into a scenario: one step per request, the response as
// expectation, volatile values (SIDs, UUIDs, dates, tokens, transaction ids) captured into
// variables instead of asserted, later uses of a captured value written as {{var}}, Basic
// credentials as {{vars}} declared in "vars", attribute values masked unless keep_pii.
nlohmann::ordered_json to_scenario(const std::vector<nlohmann::json>& entries,
                                   const RecordOptions& options);

// Exposed for the unit tests: does this response value look volatile?
bool looks_volatile(const std::string& key, const std::string& value);
// Masks every leaf of an attributes value (base64 JSON text, or a JSON object) as "***".
nlohmann::json mask_attributes(const nlohmann::json& attributes);

}  // namespace mock::common
