-- GET Messages.json?To=…&PageSize=…: the first page of a list filtered by To. The query
-- string is the script's first argument.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local path

function init(args)
  path = bench.messages_path .. "?" .. args[1]
end

function request()
  return wrk.format("GET", path, { ["Authorization"] = bench.twilio_auth })
end
