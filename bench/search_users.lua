-- POST /v1/users/search as HealthCo's admin (FULL_ADMIN: R User::.*). The form body's
-- search_option (base64 JSON, already form-encoded) is the script's first argument.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local body
local headers = {
  -- Basic 00000000-0000-4000-a000-0000000000a1: (the admin's API key)
  ["Authorization"] = "Basic MDAwMDAwMDAtMDAwMC00MDAwLWEwMDAtMDAwMDAwMDAwMGExOg==",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

function init(args)
  body = "search_option=" .. args[1]
end

function request()
  return wrk.format("POST", "/v1/users/search", headers, body)
end
