-- GET one message: the path (…/Messages/SM….json) is the script's first argument.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local path

function init(args)
  path = args[1]
end

function request()
  return wrk.format("GET", path, { ["Authorization"] = bench.twilio_auth })
end
