-- The contest load of bench/contest.lua at a steady pace: each phone pauses PACE_MS
-- between a response and its next request (a person reading the next question), so the
-- server is measured at a chosen rate instead of at saturation. wrk's latency figures
-- exclude the pause.
-- Arguments (after --): PASSES_FILE CONTEST_ID THREADS PACE_MS

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "contest.lua")

local unpaced_init = init

function init(args)
  unpaced_init(args)
  pace = tonumber(args[4])
end

function delay()
  return pace
end
