-- Shared by the bench's wrk scripts (loaded with dofile from $BENCH_LUA_DIR).
-- Credentials and ids come from fixtures/default.json (a public interface).

bench = {}

-- Basic AC00000000000000000000000000000001:a0000000000000000000000000000001 (HealthCo)
bench.twilio_auth = "Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMTphMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMQ=="
-- Basic <healthco-notifier api key>: (TrueVault)
bench.truevault_auth = "Basic MDAwMDAwMDAtMDAwMC00MDAwLWEwMDAtMDAwMDAwMDAwMGEyOg=="
bench.messages_path = "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json"

-- A unique number per request and thread: thread id * 10^6 + counter.
bench.counter = 0

function bench.next_number()
  bench.counter = bench.counter + 1
  return bench.counter
end

-- One machine-readable line that bench/run parses:
-- BENCH requests=N seconds=S rps=R p50_ms=A p99_ms=B mean_ms=C errors=E
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000, errors))
end
