#include "mock_twilio/http/messages_routes.hpp"

#include "common/http_util.hpp"
#include "mock_twilio/http/requests.hpp"
#include "mock_twilio/http/serialize.hpp"

namespace mock::twilio::http {
namespace {

std::optional<Credentials> credentials_of(const httplib::Request& req) {
  const std::string* header = common::find_header(req.headers, "Authorization");
  if (header == nullptr) return std::nullopt;
  auto basic = common::parse_basic_auth(*header);
  if (!basic) return std::nullopt;
  return Credentials{basic->username, basic->password};
}

// Authenticates against the path's AccountSid (req.matches[1]); writes the 401 on failure.
std::optional<Account> authenticate(Deps& d, const httplib::Request& req, httplib::Response& res) {
  auto account = d.messaging.authenticate(credentials_of(req), req.matches[1].str());
  if (!account) {
    write_error(res, account.error());
    return std::nullopt;
  }
  return *account;
}

// Reads a form body past httplib's 8 KiB limit. A JSON or other non-form body yields no
// fields (so CreateMessage answers 21604, as Twilio does for JSON bodies).
std::optional<common::Form> read_form(const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
  auto body = common::read_body(req, reader, kMaxBodyBytes);
  if (!body) {
    // httplib refuses a Content-Length over its own payload limit before our reader sees a
    // byte, setting 413 on the response: the same refusal as ours.
    if (body.error() == common::BodyError::kTooLarge || res.status == 413) {
      write_error(res, errors::request_too_large(kMaxBodyBytes));
      res.set_header("Connection", "close");
    } else {
      write_error(res, errors::http_error(400));
    }
    return std::nullopt;
  }
  if (body->kind == common::RequestBody::Kind::kUrlEncoded ||
      body->kind == common::RequestBody::Kind::kMultipart) {
    // Parameters are text: bytes that are not UTF-8 would be stored and answered as U+FFFD.
    for (const auto& [key, value] : body->fields.fields()) {
      if (!common::is_valid_utf8(key) || !common::is_valid_utf8(value)) {
        write_error(res, errors::invalid_parameter(common::is_valid_utf8(key) ? key : "parameter",
                                                   "must be UTF-8 text"));
        return std::nullopt;
      }
    }
    return std::move(body->fields);
  }
  return common::Form();
}

}  // namespace

void create_message(Deps& d, const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) {
  // Read the body before answering, even a 401: the connection stays usable.
  auto form = read_form(req, res, reader);
  if (!form) return;
  auto account = authenticate(d, req, res);
  if (!account) return;
  auto created = d.messaging.create_message(*account, create_request_from(*form));
  if (!created) return write_error(res, created.error());
  write_json_text(res, 201, message_text(*created));
}

void list_message(Deps& d, const httplib::Request& req, httplib::Response& res) {
  auto account = authenticate(d, req, res);
  if (!account) return;
  const auto request = list_request_from(common::query_params(req));
  auto page = d.messaging.list_message(*account, request);
  if (!page) return write_error(res, page.error());
  write_json(res, 200, page_json(account->sid, request, *page));
}

void fetch_message(Deps& d, const httplib::Request& req, httplib::Response& res) {
  auto account = authenticate(d, req, res);
  if (!account) return;
  auto m = d.messaging.fetch_message(*account, req.matches[2].str(), req.path);
  if (!m) return write_error(res, m.error());
  write_json_text(res, 200, message_text(*m));
}

void update_message(Deps& d, const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) {
  auto form = read_form(req, res, reader);
  if (!form) return;
  auto account = authenticate(d, req, res);
  if (!account) return;
  auto m = d.messaging.update_message(*account, req.matches[2].str(), update_request_from(*form),
                                      req.path);
  if (!m) return write_error(res, m.error());
  write_json_text(res, 200, message_text(*m));
}

void delete_message(Deps& d, const httplib::Request& req, httplib::Response& res) {
  auto account = authenticate(d, req, res);
  if (!account) return;
  auto done = d.messaging.delete_message(*account, req.matches[2].str(), req.path);
  if (!done) return write_error(res, done.error());
  res.status = 204;
}

void inspect_messages(Deps& d, const httplib::Request& req, httplib::Response& res) {
  const auto query = common::query_params(req);
  InspectionFilter filter{query.get("to"), query.get("from"), query.get("account_sid")};
  nlohmann::ordered_json out;
  out["messages"] = nlohmann::ordered_json::array();
  for (const auto& m : d.repository.inspect_messages(filter)) {
    out["messages"].push_back(message_json(m));
  }
  write_json(res, 200, out);
}

void clear_messages(Deps& d, const httplib::Request& /*req*/, httplib::Response& res) {
  nlohmann::ordered_json out;
  out["deleted"] = d.repository.clear_messages();
  write_json(res, 200, out);
}

}  // namespace mock::twilio::http
