-- Soak: POST Messages.json, then DELETE the message it created, so the store stays the same
-- size and any RSS growth is a leak or an uncapped in-memory structure (the journal is capped
-- by --journal-cap). Needs --progression immediate: only finished messages may be deleted.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local pending = {}  -- sids created and not yet deleted (per wrk thread)
local post_headers = {
  ["Authorization"] = bench.twilio_auth,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
local delete_headers = { ["Authorization"] = bench.twilio_auth }
local account_path = "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/"

function request()
  local sid = table.remove(pending)
  if sid then
    return wrk.format("DELETE", account_path .. sid .. ".json", delete_headers)
  end
  local n = bench.next_number()
  local body = string.format("To=%%2B1555%07d&From=%%2B15557778888&Body=Soak+%d", n % 10000000, n)
  return wrk.format("POST", bench.messages_path, post_headers, body)
end

function response(status, headers, body)
  if status == 201 then
    local sid = string.match(body, '"sid":%s*"(SM%x+)"')
    if sid then table.insert(pending, sid) end
  end
end
