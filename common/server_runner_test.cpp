#include "common/server_runner.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <catch2/catch.hpp>

using namespace mock::common;

namespace {

// Jobs that block until released, so a test controls how many run at once.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int running = 0;
  std::atomic<int> done{0};

  std::function<void()> job() {
    return [this] {
      std::unique_lock lock(mutex);
      ++running;
      changed.notify_all();
      changed.wait(lock, [this] { return open; });
      --running;
      ++done;
      changed.notify_all();
    };
  }
  bool wait_running(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] { return running == n; });
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    changed.notify_all();
  }
};

}  // namespace

TEST_CASE("GrowingThreadPool starts no thread until a job comes", "[common][server_runner]") {
  GrowingThreadPool pool(4);
  CHECK(pool.threads() == 0);
  std::atomic<int> ran{0};
  pool.enqueue([&] { ++ran; });
  pool.shutdown();
  CHECK(ran == 1);
  CHECK(pool.threads() == 0);  // joined
}

TEST_CASE("GrowingThreadPool reuses an idle worker instead of starting another",
          "[common][server_runner]") {
  GrowingThreadPool pool(4);
  Gate gate;
  gate.release();
  for (int i = 0; i < 20; ++i) {
    pool.enqueue(gate.job());
    // The one worker is back waiting before the next job comes.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!(pool.idle_threads() == 1 && gate.done == i + 1) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(pool.idle_threads() == 1);
  }
  CHECK(pool.threads() == 1);
  pool.shutdown();
}

TEST_CASE("GrowingThreadPool grows to its maximum, queues beyond it, and drains at shutdown",
          "[common][server_runner]") {
  GrowingThreadPool pool(3);
  Gate gate;
  for (int i = 0; i < 5; ++i) pool.enqueue(gate.job());
  REQUIRE(gate.wait_running(3));  // three workers, each holding a job
  CHECK(pool.threads() == 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    std::lock_guard lock(gate.mutex);
    CHECK(gate.running == 3);  // the other two wait for a free worker
  }
  gate.release();
  pool.shutdown();  // runs the queued jobs before joining
  CHECK(gate.done == 5);
}

TEST_CASE("a served server starts its workers on demand", "[common][server_runner]") {
  httplib::Server server;
  server.Get("/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  auto runner = ServerRunner::start(server, {"127.0.0.1", 0, "", "", false, 2});
  REQUIRE(runner);
  // Three keep-alive clients at once on a pool of at most two: every request is answered
  // (the third connection waits for a worker: each client closes after its request).
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&, port = (*runner)->port()] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(false);
      for (int k = 0; k < 5; ++k) {
        auto res = client.Get("/ping");
        if (res && res->status == 200 && res->body == "pong") ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  CHECK(ok == 15);
  (*runner)->stop();
}
