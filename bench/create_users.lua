-- POST /v1/users as HealthCo's admin: a new username and phone attribute per request, so each
-- answer carries new ids, tokens and dates for the recorder to capture (the journal export
-- measure). One thread: the counter is the only source of unique usernames.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers = {
  -- Basic 00000000-0000-4000-a000-0000000000a1: (the admin's API key)
  ["Authorization"] = "Basic MDAwMDAwMDAtMDAwMC00MDAwLWEwMDAtMDAwMDAwMDAwMGExOg==",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

-- base64 of {"phone":"+1555NNNNNNN"}, form-encoded (only + / = need it; the length is fixed).
local function attributes(n)
  local json = string.format('{"phone":"+1555%07d"}', n % 10000000)
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local out = {}
  for i = 1, #json, 3 do
    local a, b, c = json:byte(i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    for k = 3, 0, -1 do
      local idx = math.floor(v / 64 ^ k) % 64
      out[#out + 1] = alphabet:sub(idx + 1, idx + 1)
    end
    if not b then out[#out - 1], out[#out] = "=", "=" elseif not c then out[#out] = "=" end
  end
  return (table.concat(out):gsub("[+/=]", { ["+"] = "%2B", ["/"] = "%2F", ["="] = "%3D" }))
end

function request()
  local n = bench.next_number()
  local body = string.format("username=bench-export-%d&password=pw&attributes=%s", n,
                             attributes(n))
  return wrk.format("POST", "/v1/users", headers, body)
end
