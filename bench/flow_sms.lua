-- The TrueVault guide's flow: POST /v1/users/{patient}/message/sms as the notifier, the
-- recipient resolved from the patient's "phone" attribute, forwarded to mock_twilio.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local path = "/v1/users/4a635639-fcf5-4cca-9b79-25376fdb460f/message/sms"
local headers = {
  ["Authorization"] = bench.truevault_auth,
  ["Content-Type"] = "application/json",
}

function request()
  local n = bench.next_number()
  local body = string.format(
    '{"provider":"TWILIO","auth":{"account_sid":"AC00000000000000000000000000000001",' ..
    '"username":"SK00000000000000000000000000000001","password":"mock-api-key-secret"},' ..
    '"from_number":{"literal_value":"+15557778888"},"to_number":{"user_attribute":"phone"},' ..
    '"message_body":"Please check your HealthCo messages (%d)"}', n)
  return wrk.format("POST", path, headers, body)
end
