-- POST Messages.json: a form body with a new To and Body per request (a new message each).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers = {
  ["Authorization"] = bench.twilio_auth,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

function request()
  local n = bench.next_number()
  local body = string.format("To=%%2B1555%07d&From=%%2B15557778888&Body=Bench+message+%d",
                             n % 10000000, n)
  return wrk.format("POST", bench.messages_path, headers, body)
end
