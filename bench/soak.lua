-- Soak: POST Messages.json, and DELETE each message it created once 1024 newer ones exist, so
-- the store stays the same size and any RSS growth is a leak or an uncapped in-memory
-- structure (the journal is capped by --journal-cap). Needs --progression immediate: only a
-- finished message may be deleted (20009 otherwise), and "immediate" finishes it just after
-- the create returns, on the worker thread, which lags under load: hence the distance of 1024.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local pending = {}  -- sids created and not yet deleted, oldest first (per wrk thread)
local first = 1     -- index of the oldest in pending
local last = 0
local post_headers = {
  ["Authorization"] = bench.twilio_auth,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
local delete_headers = { ["Authorization"] = bench.twilio_auth }
local account_path = "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/"

function request()
  if last - first >= 1024 then
    local sid = pending[first]
    pending[first] = nil
    first = first + 1
    return wrk.format("DELETE", account_path .. sid .. ".json", delete_headers)
  end
  local n = bench.next_number()
  local body = string.format("To=%%2B1555%07d&From=%%2B15557778888&Body=Soak+%d", n % 10000000, n)
  return wrk.format("POST", bench.messages_path, post_headers, body)
end

function response(status, headers, body)
  if status == 201 then
    local sid = string.match(body, '"sid":%s*"(SM%x+)"')
    if sid then
      last = last + 1
      pending[last] = sid
    end
  end
end
