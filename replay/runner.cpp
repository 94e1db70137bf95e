#include "replay/runner.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <re2/re2.h>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/form.hpp"
#include "common/journal.hpp"
#include "common/server_runner.hpp"

namespace mock::replay {

using nlohmann::json;

namespace {

const std::set<std::string> kScenarioKeys = {"name",  "description", "fixture", "seed",
                                             "clock", "vars",        "steps"};
const std::set<std::string> kStepKeys = {"id",      "service", "method", "path", "basic_auth",
                                         "headers", "json",    "form",   "body", "expect",
                                         "capture", "assert",  "note"};
const std::set<std::string> kExpectKeys = {"status", "json"};
const std::set<std::string> kAssertKeys = {"sms", "callback", "journal"};

std::string check_shape(const json& s) {
  if (!s.is_object()) {
    return ": a scenario must be a JSON object";
  }
  for (const auto& [k, v] : s.items()) {
    if (!kScenarioKeys.contains(k)) {
      return fmt::format(": /{}: unknown key", k);
    }
  }
  if (!s.contains("steps") || !s["steps"].is_array()) {
    return ": /steps: required array";
  }
  if (s.contains("vars") && !s["vars"].is_object()) {
    return ": /vars: must be an object";
  }
  if (s.contains("seed") && !s["seed"].is_number_unsigned()) {
    return ": /seed: must be a non-negative integer";
  }
  if (s.contains("fixture") && !s["fixture"].is_string()) {
    return ": /fixture: must be a string";
  }
  for (std::size_t i = 0; i < s["steps"].size(); ++i) {
    const auto& step = s["steps"][i];
    const std::string at = fmt::format(": /steps/{}", i);
    if (!step.is_object()) {
      return at + ": must be an object";
    }
    for (const auto& [k, v] : step.items()) {
      if (!kStepKeys.contains(k)) {
        return fmt::format("{}/{}: unknown key", at, k);
      }
    }
    if (!step.contains("id") || !step["id"].is_string()) {
      return at + "/id: required string";
    }
    const bool request = step.contains("method") || step.contains("path");
    if (request) {
      if (!step.contains("method") || !step["method"].is_string()) {
        return at + "/method: required string";
      }
      if (!step.contains("path") || !step["path"].is_string()) {
        return at + "/path: required string";
      }
      const auto service = step.value("service", std::string());
      if (service != "truevault" && service != "twilio") {
        return at + "/service: must be truevault or twilio";
      }
    } else if (!step.contains("assert")) {
      return at + ": needs a request (method, path) or an assert";
    }
    if (step.contains("expect")) {
      if (!step["expect"].is_object()) {
        return at + "/expect: must be an object";
      }
      for (const auto& [k, v] : step["expect"].items()) {
        if (!kExpectKeys.contains(k)) {
          return fmt::format("{}/expect/{}: unknown key", at, k);
        }
      }
    }
    if (step.contains("assert")) {
      if (!step["assert"].is_array()) {
        return at + "/assert: must be an array";
      }
      for (std::size_t j = 0; j < step["assert"].size(); ++j) {
        const auto& a = step["assert"][j];
        if (!a.is_object() || a.size() != 1 || !kAssertKeys.contains(a.begin().key())) {
          return fmt::format(
              "{}/assert/{}: must be one of {{\"sms\"}}, {{\"callback\"}}, "
              "{{\"journal\"}}",
              at, j);
        }
      }
    }
  }
  return {};
}

// A callback receiver for {{sink}}: answers 204 to every POST/GET.
class Sink {
 public:
  Sink() {
    auto ok = [](const httplib::Request&, httplib::Response& res) { res.status = 204; };
    server_.Post(".*", ok);
    server_.Get(".*", ok);
    auto runner = common::ServerRunner::start(server_, {"127.0.0.1", 0, "", "sink", false, 2});
    if (runner) {
      runner_ = std::move(*runner);
    }
  }
  std::string url() const { return runner_ ? runner_->base_url() : "http://127.0.0.1:9"; }

 private:
  httplib::Server server_;
  std::unique_ptr<common::ServerRunner> runner_;
};

struct Http {
  std::unique_ptr<httplib::Client> truevault;
  std::unique_ptr<httplib::Client> twilio;
  explicit Http(const Targets& t)
      : truevault(std::make_unique<httplib::Client>(t.truevault)),
        twilio(std::make_unique<httplib::Client>(t.twilio)) {
    for (auto* c : {truevault.get(), twilio.get()}) {
      c->set_connection_timeout(std::chrono::seconds(5));
      c->set_read_timeout(std::chrono::seconds(15));
    }
  }
  httplib::Client& of(const std::string& service) {
    return service == "twilio" ? *twilio : *truevault;
  }
};

json body_json(const httplib::Result& r) {
  if (!r) {
    return nullptr;
  }
  auto j = json::parse(r->body, nullptr, false);
  return j.is_discarded() ? json(r->body) : j;
}

std::string form_body(const json& form) {
  std::vector<common::Form::Field> fields;
  auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  if (form.is_array()) {
    for (const auto& pair : form) {
      if (pair.is_array() && pair.size() == 2) {
        fields.emplace_back(text(pair[0]), text(pair[1]));
      }
    }
  } else if (form.is_object()) {
    for (const auto& [k, v] : form.items()) {
      if (v.is_array()) {
        for (const auto& item : v) {
          fields.emplace_back(k, text(item));
        }
      } else {
        fields.emplace_back(k, text(v));
      }
    }
  }
  return common::encode_form(fields);
}

long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(common::steady_now() - start)
      .count();
}

// One side-effect assertion, polled until it holds or the timeout passes; "" when it holds.
std::string check_assertion(const json& a, Http& http, const RunOptions& options) {
  const auto deadline = common::steady_now() + std::chrono::milliseconds(options.assert_timeout_ms);
  const std::string kind = a.begin().key();
  const json& spec = a.begin().value();
  std::string last;
  for (;;) {
    if (kind == "sms") {
      const std::string to = spec.value("to", std::string());
      auto r = http.twilio->Get("/_mock/messages?to=" + common::url_encode(to));
      const json body = body_json(r);
      int found = 0;
      RE2::Options re_options;
      re_options.set_log_errors(false);
      const std::string pattern = spec.value("body", std::string(".*"));
      RE2 re(pattern, re_options);
      if (!re.ok()) {
        return fmt::format("sms: body pattern /{}/ is invalid: {}", pattern, re.error());
      }
      for (const auto& m : body.value("messages", json::array())) {
        if (m.value("to", std::string()) == to &&
            RE2::PartialMatch(m.value("body", std::string()), re)) {
          ++found;
        }
      }
      const int want = spec.value("count", -1);
      if ((want < 0 && found > 0) || found == want) {
        return {};
      }
      last = fmt::format("sms to {} with body /{}/: expected {}, found {}", to,
                         spec.value("body", std::string(".*")),
                         want < 0 ? std::string("at least 1") : std::to_string(want), found);
    } else if (kind == "callback") {
      const std::string url = spec.value("url", std::string());
      const std::string status = spec.value("status", std::string());
      auto r = http.twilio->Get("/_mock/twilio/callbacks");
      const json body = body_json(r);
      bool found = false;
      for (const auto& c : body.value("callbacks", json::array())) {
        const auto code = c.value("response_code", json()).is_number_integer()
                              ? c["response_code"].get<int>()
                              : 0;
        if (c.value("url", std::string()) == url && code >= 200 && code < 300 &&
            c.value("/params/MessageStatus"_json_pointer, std::string()) == status) {
          found = true;
        }
      }
      if (found) {
        return {};
      }
      last = r ? fmt::format("no callback with status {} reached {}", status, url)
               : "GET /_mock/twilio/callbacks: no response";
      if (r && r->status == 404) {
        return "mock_twilio has no /_mock/twilio/callbacks";
      }
    } else {
      const std::string service = spec.value("service", std::string("truevault"));
      auto r = http.of(service).Get("/_mock/journal");
      const json body = body_json(r);
      int found = 0;
      for (const auto& e : body.value("entries", json::array())) {
        if (spec.contains("method") && e.value("method", std::string()) != spec["method"]) {
          continue;
        }
        if (spec.contains("path") && e.value("path", std::string()) != spec["path"]) {
          continue;
        }
        ++found;
      }
      const int want = spec.value("count", 0);
      if (found == want) {
        return {};
      }
      last = fmt::format("journal of {}: expected {} {} {}, found {}", service, want,
                         spec.value("method", std::string("*")),
                         spec.value("path", std::string("*")), found);
    }
    if (common::steady_now() >= deadline) {
      return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string setup(const json& scenario, Http& http) {
  json reset = {{"fixture", scenario.value("fixture", std::string("default"))}};
  if (scenario.contains("seed")) {
    reset["seed"] = scenario["seed"];
  }
  for (const std::string service : {"twilio", "truevault"}) {
    auto r = http.of(service).Post("/_mock/reset", reset.dump(), "application/json");
    if (!r) {
      return fmt::format("{}: POST /_mock/reset: no response ({})", service,
                         httplib::to_string(r.error()));
    }
    if (r->status != 200) {
      return fmt::format("{}: POST /_mock/reset: {} {}", service, r->status, r->body);
    }
    http.of(service).Delete("/_mock/journal");
    if (scenario.contains("clock")) {
      auto c = http.of(service).Post("/_mock/clock", scenario["clock"].dump(), "application/json");
      if (!c || c->status != 200) {
        return fmt::format("{}: POST /_mock/clock: {}", service,
                           c ? c->body : std::string("no response"));
      }
    }
  }
  return {};
}

void run_step(const json& raw, Vars& vars, Http& http, const RunOptions& options, StepResult& out) {
  // The expectation is substituted after this step's captures: a recorded expectation may
  // refer to a value captured from the same response ("user_id": "{{id}}").
  json request_part = raw;
  request_part.erase("expect");
  auto substituted = substitute(request_part, vars);
  if (!substituted) {
    out.outcome = StepResult::Outcome::kFail;
    out.details.push_back(substituted.error());
    return;
  }
  const json& step = *substituted;
  const auto start = common::steady_now();
  if (step.contains("method")) {
    httplib::Request req;
    req.method = step["method"].get<std::string>();
    req.path = step["path"].get<std::string>();
    if (step.contains("basic_auth")) {
      req.set_header("Authorization",
                     "Basic " + common::base64_encode(step["basic_auth"].get<std::string>()));
    }
    if (step.contains("headers")) {
      for (const auto& [k, v] : step["headers"].items()) {
        req.set_header(k, v.is_string() ? v.get<std::string>() : v.dump());
      }
    }
    std::string content_type;
    if (step.contains("json")) {
      req.body = step["json"].dump();
      content_type = "application/json";
    } else if (step.contains("form")) {
      req.body = form_body(step["form"]);
      content_type = "application/x-www-form-urlencoded";
    } else if (step.contains("body")) {
      req.body = step["body"].get<std::string>();
    }
    if (!content_type.empty() && !req.has_header("Content-Type")) {
      req.set_header("Content-Type", content_type);
    }
    auto r = http.of(step["service"].get<std::string>()).send(req);
    out.ms = ms_since(start);
    if (!r) {
      out.outcome = StepResult::Outcome::kFail;
      out.details.push_back(fmt::format("no response: {}", httplib::to_string(r.error())));
      return;
    }
    out.status = r->status;
    const json actual = body_json(r);
    Vars with_captures = vars;
    std::string capture_error;
    if (step.contains("capture")) {
      auto done = capture(step["capture"], actual, with_captures);
      if (!done) {
        capture_error = done.error();
      }
    }
    auto expect_or = substitute(raw.value("expect", json::object()), with_captures);
    if (!expect_or) {
      out.outcome = StepResult::Outcome::kFail;
      out.details.push_back(expect_or.error());
      return;
    }
    const json expect = *expect_or;
    std::vector<std::string> captured;
    if (step.contains("capture")) {
      for (const auto& [k, v] : step["capture"].items()) {
        if (v.is_string()) {
          captured.push_back(v.get<std::string>());
        }
      }
    }
    if (options.diff) {
      if (expect.contains("status") && expect["status"] != r->status) {
        out.details.push_back(
            fmt::format("status: recorded {}, now {}", show(expect["status"]), r->status));
      }
      if (expect.contains("json")) {
        for (const auto& d : differences(expect["json"], actual, captured)) {
          switch (d.kind) {
            case Difference::Kind::kChanged:
              out.details.push_back(fmt::format("~ {}: recorded {}, now {}", d.pointer,
                                                show(d.recorded), show(d.now)));
              break;
            case Difference::Kind::kRemoved:
              out.details.push_back(
                  fmt::format("- {}: recorded {}, now absent", d.pointer, show(d.recorded)));
              break;
            case Difference::Kind::kAdded:
              // A volatile value the recording dropped without capturing (a second date, ...).
              if (d.now.is_string() &&
                  common::looks_volatile(d.pointer.substr(d.pointer.rfind('/') + 1),
                                         d.now.get<std::string>())) {
                break;
              }
              out.details.push_back(fmt::format("+ {}: now {}", d.pointer, show(d.now)));
              break;
          }
        }
      }
      if (!out.details.empty()) {
        out.outcome = StepResult::Outcome::kFail;
      }
    } else {
      if (expect.contains("status") && expect["status"] != r->status) {
        out.outcome = StepResult::Outcome::kFail;
        out.details.push_back(
            fmt::format("status: expected {}, actual {}", show(expect["status"]), r->status));
      } else if (expect.contains("json")) {
        if (auto m = first_mismatch(expect["json"], actual)) {
          out.outcome = StepResult::Outcome::kFail;
          out.details.push_back(
              fmt::format("at {}: expected {}, actual {}", m->pointer.empty() ? "/" : m->pointer,
                          show(m->expected), m->missing ? "(absent)" : show(m->actual)));
        }
      }
      if (out.outcome == StepResult::Outcome::kFail) {
        out.details.push_back("body: " + show(actual));
        return;
      }
    }
    if (!capture_error.empty()) {
      out.outcome = StepResult::Outcome::kFail;
      out.details.push_back(capture_error);
      out.details.push_back("body: " + show(actual));
      return;
    }
    vars = std::move(with_captures);
  }
  for (const auto& a : step.value("assert", json::array())) {
    const std::string failure = check_assertion(a, http, options);
    if (!failure.empty()) {
      out.outcome = StepResult::Outcome::kFail;
      out.details.push_back(failure);
      break;
    }
  }
  if (!step.contains("method")) {
    out.ms = ms_since(start);
  }
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

common::Result<json, std::string> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return common::fail(fmt::format("{}: cannot read the file", path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  json scenario;
  try {
    scenario = json::parse(ss.str(), nullptr, true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // parse_error; out_of_range for 1e400
    return common::fail(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (auto problem = check_shape(scenario); !problem.empty()) {
    return common::fail(path + problem);
  }
  if (!scenario.contains("name")) {
    scenario["name"] = std::filesystem::path(path).stem().string();
  }
  return scenario;
}

common::Result<std::vector<std::string>, std::string> scenario_files(
    const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        if (e.path().extension() == ".json") {
          found.push_back(e.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(arg, ec)) {
      out.push_back(arg);
    } else {
      return common::fail(fmt::format("{}: no such file or directory", arg));
    }
  }
  return out;
}

bool ScenarioResult::passed() const {
  if (!setup_error.empty()) {
    return false;
  }
  return std::none_of(steps.begin(), steps.end(),
                      [](const StepResult& s) { return s.outcome != StepResult::Outcome::kPass; });
}

ScenarioResult run_scenario(const json& scenario, const std::string& file, const Targets& targets,
                            const RunOptions& options) {
  ScenarioResult result;
  result.name = scenario.value("name", file);
  result.file = file;
  Http http(targets);
  Sink sink;
  if (auto error = setup(scenario, http); !error.empty()) {
    result.setup_error = error;
    return result;
  }
  Vars vars = {{"sink", sink.url()}, {"truevault", targets.truevault}, {"twilio", targets.twilio}};
  const json declared = scenario.value("vars", json::object());
  for (const auto& [k, v] : declared.items()) {
    vars[k] = v.is_string() ? v.get<std::string>() : v.dump();
  }
  bool failed = false;
  for (const auto& step : scenario["steps"]) {
    StepResult out;
    out.id = step.value("id", std::string());
    if (failed && !options.diff) {
      out.outcome = StepResult::Outcome::kSkip;
    } else {
      run_step(step, vars, http, options, out);
      failed = failed || out.outcome == StepResult::Outcome::kFail;
    }
    result.steps.push_back(std::move(out));
  }
  return result;
}

std::vector<std::string> report_lines(const ScenarioResult& result, bool show_time, bool diff) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("scenario {} ({})", result.name, result.file));
  if (!result.setup_error.empty()) {
    lines.push_back("ERROR setup: " + result.setup_error);
    return lines;
  }
  for (const auto& s : result.steps) {
    std::string word;
    switch (s.outcome) {
      case StepResult::Outcome::kPass:
        word = diff ? "SAME" : "PASS";
        break;
      case StepResult::Outcome::kFail:
        word = diff ? "DIFF" : "FAIL";
        break;
      case StepResult::Outcome::kSkip:
        word = "SKIP";
        break;
    }
    std::string line = fmt::format("{} {}", word, s.id);
    if (s.outcome != StepResult::Outcome::kSkip) {
      line += s.status != 0 ? fmt::format(" {}", s.status) : " -";
      if (show_time) {
        line += fmt::format(" {}ms", s.ms);
      }
    }
    lines.push_back(line);
    for (const auto& d : s.details) {
      lines.push_back("  " + d);
    }
  }
  return lines;
}

std::string summary_line(const std::vector<ScenarioResult>& results) {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  for (const auto& r : results) {
    if (!r.setup_error.empty()) {
      ++failed;
    }
    for (const auto& s : r.steps) {
      if (s.outcome == StepResult::Outcome::kPass) {
        ++passed;
      }
      if (s.outcome == StepResult::Outcome::kFail) {
        ++failed;
      }
      if (s.outcome == StepResult::Outcome::kSkip) {
        ++skipped;
      }
    }
  }
  std::string line = fmt::format("{} passed, {} failed", passed, failed);
  if (skipped > 0) {
    line += fmt::format(", {} skipped", skipped);
  }
  return line;
}

std::string junit_xml(const std::vector<ScenarioResult>& results) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mockenv replay\">\n";
  for (const auto& r : results) {
    int failures = r.setup_error.empty() ? 0 : 1;
    int skipped = 0;
    long long ms = 0;
    for (const auto& s : r.steps) {
      failures += s.outcome == StepResult::Outcome::kFail ? 1 : 0;
      skipped += s.outcome == StepResult::Outcome::kSkip ? 1 : 0;
      ms += s.ms;
    }
    const std::size_t tests = r.steps.size() + (r.setup_error.empty() ? 0 : 1);
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
        xml_escape(r.name), tests, failures, skipped, static_cast<double>(ms) / 1000.0);
    if (!r.setup_error.empty()) {
      out += fmt::format(
          "    <testcase classname=\"{0}\" name=\"setup\"><failure message=\"{1}\">"
          "{1}</failure></testcase>\n",
          xml_escape(r.name), xml_escape(r.setup_error));
    }
    for (const auto& s : r.steps) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                         xml_escape(r.name), xml_escape(s.id), static_cast<double>(s.ms) / 1000.0);
      if (s.outcome == StepResult::Outcome::kPass) {
        out += "/>\n";
      } else if (s.outcome == StepResult::Outcome::kSkip) {
        out += "><skipped/></testcase>\n";
      } else {
        std::string text;
        for (const auto& d : s.details) {
          text += d + "\n";
        }
        out += fmt::format("><failure message=\"{}\">{}</failure></testcase>\n",
                           xml_escape(s.details.empty() ? std::string("failed") : s.details[0]),
                           xml_escape(text));
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace mock::replay
