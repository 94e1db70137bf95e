// bench_baseline: the bare cpp-httplib + nlohmann::json server the bench compares the mocks
// with (issue 6). It answers the bench's routes with canned bodies, building and dumping a
// nlohmann::json object per request like a real handler would, and nothing else: no
// authentication, no validation, no store, no logging.
//
// Tuning: the same settings as common/server_runner.cpp (TCP_NODELAY, keep-alive count
// 1000000, 32 threads, SO_REUSEADDR, backlog 1024), copied rather than linked so that the
// baseline loads no library the mocks add (spdlog, SQLite, OpenSSL, RE2): that is the
// point of a bare baseline, and its cold start and RSS stay the stack's own.
//
// With --forward-to PORT it is also the bare two-hop flow: the SMS route first POSTs a form to
// Messages.json on 127.0.0.1:PORT (another bench_baseline) over a keep-alive httplib client
// with TCP_NODELAY (one per server thread), parses the reply with nlohmann::json, and then
// answers its canned success. That is the guide's flow with no logic on either side: the
// ceiling this HTTP stack puts on mock_truevault -> mock_twilio (bench/README.md).
//
// With --connection-loop mock it serves its connections through the mocks' own keep-alive loop
// (common/connection_loop.*: buffered, one send per answer) instead of httplib's, and forwards
// through the mocks' client connection (common::HttpConnection, as mock_truevault does): the
// bench's information row that shows how much of a ratio that loop makes. Without it, the baseline
// is httplib's own, as issue 6 defines it.
//
// Usage: bench_baseline [--port N] [--port-file PATH] [--forward-to PORT]
//                       [--connection-loop httplib|mock]   (port 0 = ephemeral, the default)

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/connection_loop.hpp"
#include "common/http_connection.hpp"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace {

constexpr const char* kAccount = "AC00000000000000000000000000000001";
constexpr const char* kDate = "Fri, 27 Nov 2026 23:00:00 +0000";

std::string sid_for(std::uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "SM%032llx", static_cast<unsigned long long>(n));
  return buf;
}

nlohmann::json message_json(const std::string& sid, const std::string& to, const std::string& from,
                            const std::string& body) {
  const std::string uri = std::string("/2010-04-01/Accounts/") + kAccount + "/Messages/" + sid;
  return {
      {"account_sid", kAccount},
      {"api_version", "2010-04-01"},
      {"body", body},
      {"date_created", kDate},
      {"date_sent", nullptr},
      {"date_updated", kDate},
      {"direction", "outbound-api"},
      {"error_code", nullptr},
      {"error_message", nullptr},
      {"from", from},
      {"messaging_service_sid", nullptr},
      {"num_media", "0"},
      {"num_segments", "1"},
      {"price", nullptr},
      {"price_unit", "USD"},
      {"sid", sid},
      {"status", "queued"},
      {"subresource_uris", {{"media", uri + "/Media.json"}, {"feedback", uri + "/Feedback.json"}}},
      {"to", to},
      {"uri", uri + ".json"}};
}

void write_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

httplib::Server* g_server = nullptr;  // for the signal handler only (this is a bench tool)

extern "C" void on_signal(int) {
  if (g_server != nullptr) g_server->stop();
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int forward_to = 0;
  std::string port_file;
  bool mock_loop = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--port-file" && i + 1 < argc) {
      port_file = argv[++i];
    } else if (arg == "--forward-to" && i + 1 < argc) {
      forward_to = std::atoi(argv[++i]);
    } else if (arg == "--connection-loop" && i + 1 < argc &&
               (std::string(argv[i + 1]) == "httplib" || std::string(argv[i + 1]) == "mock")) {
      mock_loop = std::string(argv[++i]) == "mock";
    } else {
      std::fprintf(stderr,
                   "usage: bench_baseline [--port N] [--port-file PATH] [--forward-to PORT]\n"
                   "                      [--connection-loop httplib|mock]\n");
      return 2;
    }
  }

  const std::unique_ptr<httplib::Server> owned = mock_loop
                                                     ? std::make_unique<mock::common::HttpServer>()
                                                     : std::make_unique<httplib::Server>();
  httplib::Server& server = *owned;
  std::atomic<int> listen_fd{-1};
  std::atomic<std::uint64_t> next_sid{1};

  // The settings of common/server_runner.cpp's tune_server().
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(10);
  server.set_write_timeout(10);
  server.set_payload_max_length(2 * 1024 * 1024);
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    listen_fd.store(sock);
  });

  const std::string messages = R"(/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json)";
  const std::string message =
      R"(/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages/(SM[0-9a-f]{32})\.json)";

  // POST Messages.json: a new sid per request, the form's To/From/Body echoed.
  server.Post(messages, [&](const httplib::Request& req, httplib::Response& res) {
    write_json(res, 201,
               message_json(sid_for(next_sid.fetch_add(1)), req.get_param_value("To"),
                            req.get_param_value("From"), req.get_param_value("Body")));
  });
  // GET Messages.json: a page of one canned message.
  server.Get(messages, [&](const httplib::Request&, httplib::Response& res) {
    const std::string page = std::string("/2010-04-01/Accounts/") + kAccount + "/Messages.json";
    write_json(res, 200,
               {{"messages", nlohmann::json::array({message_json(sid_for(1), "+15550001111",
                                                                 "+15557778888", "canned")})},
                {"end", 0},
                {"first_page_uri", page + "?PageSize=50&Page=0"},
                {"next_page_uri", nullptr},
                {"page", 0},
                {"page_size", 50},
                {"previous_page_uri", nullptr},
                {"start", 0},
                {"uri", page + "?PageSize=50&Page=0"}});
  });
  // GET one message.
  server.Get(message, [&](const httplib::Request& req, httplib::Response& res) {
    write_json(res, 200,
               message_json(req.matches[2].str(), "+15550001111", "+15557778888", "canned"));
  });
  // TrueVault's SMS route: a canned success.
  server.Post(R"(/v1/users/([0-9a-f-]{36})/message/sms)", [&](const httplib::Request&,
                                                              httplib::Response& res) {
    if (forward_to != 0) {
      const std::string path = std::string("/2010-04-01/Accounts/") + kAccount + "/Messages.json";
      const std::string form =
          "To=%2B15550001111&From=%2B15557778888&Body=Please+check+your+messages";
      int status = 0;
      std::string body;
      if (mock_loop) {
        thread_local mock::common::HttpConnection connection("127.0.0.1", forward_to,
                                                             std::chrono::seconds(5));
        mock::common::HttpConnection::Response reply;
        const std::string request =
            "POST " + path + " HTTP/1.1\r\nContent-Length: " + std::to_string(form.size()) +
            "\r\nContent-Type: application/x-www-form-urlencoded\r\nHost: " +
            connection.host_header() + "\r\n\r\n" + form;
        if (connection.exchange(request, reply) == mock::common::HttpConnection::Error::kNone) {
          status = reply.status;
          body = std::move(reply.body);
        }
      } else {
        thread_local const std::unique_ptr<httplib::ClientImpl> client = [&] {
          auto c = std::make_unique<httplib::ClientImpl>("127.0.0.1", forward_to);
          c->set_keep_alive(true);
          c->set_tcp_nodelay(true);
          return c;
        }();
        if (const auto reply = client->Post(path, form, "application/x-www-form-urlencoded")) {
          status = reply->status;
          body = std::move(reply->body);
        }
      }
      if (status != 201 || !nlohmann::json::parse(body, nullptr, false).contains("sid")) {
        res.status = 502;
        return;
      }
    }
    write_json(res, 200,
               {{"provider_message_id", sid_for(next_sid.fetch_add(1))},
                {"result", "success"},
                {"transaction_id", "00000000-0000-4000-a000-000000000000"}});
  });
  server.Get("/_mock/health", [](const httplib::Request&, httplib::Response& res) {
    write_json(res, 200, {{"status", "ok"}});
  });

  const int bound = port == 0 ? server.bind_to_any_port("127.0.0.1")
                              : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "bench_baseline: cannot bind 127.0.0.1:%d\n", port);
    return 1;
  }
  if (int fd = listen_fd.load(); fd >= 0) ::listen(fd, 1024);
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    { std::ofstream(tmp) << bound << "\n"; }
    std::rename(tmp.c_str(), port_file.c_str());
  }
  std::printf("bench_baseline listening on http://127.0.0.1:%d\n", bound);
  std::fflush(stdout);
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  server.listen_after_bind();
  return 0;
}
