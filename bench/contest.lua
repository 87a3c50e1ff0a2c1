-- wrk script for the contest benchmark. Each wrk thread runs one connection and is one
-- phone: it signs in with the next member's contest pass, starts an attempt and answers
-- its questions one page after another (each answer's response is the next question);
-- when the attempt ends (303 to the result) it moves on to the next member.
-- Arguments (after --): PASSES_FILE CONTEST_ID THREADS
-- Run with -t N -c N (one connection a thread: a thread's requests then alternate with
-- their responses, so the thread's state is its one phone's).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local path, contest, nthreads = args[1], args[2], tonumber(args[3])
  passes = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == tid then passes[#passes + 1] = line end
    i = i + 1
  end
  base = "/contest/" .. contest
  member, action, position, pending = 1, nil, nil, nil
  answers, starts, finished, other, exhausted = 0, 0, 0, 0, 0
  letters = { "A", "B", "C", "D" }
  math.randomseed(tid + 1)
end

function request()
  local pass = passes[member]
  if pass == nil then
    exhausted = exhausted + 1
    pending = "health"
    return wrk.format("GET", "/healthz")
  end
  local headers = {
    ["Cookie"] = "huiji_contest=" .. pass,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  if action == nil then
    pending = "start"
    return wrk.format("POST", base .. "/start", headers, "")
  end
  pending = "answer"
  return wrk.format("POST", action, headers, "n=" .. position .. "&a=" .. letters[math.random(4)])
end

local function next_member()
  member = member + 1
  action, position = nil, nil
end

function response(status, headers, body)
  if pending == "health" then return end
  if pending == "answer" and (status == 200 or status == 303) then answers = answers + 1 end
  if pending == "start" and status == 200 then starts = starts + 1 end
  if status == 200 then
    local a = body:match('action="(/contest/%d+/a/%d+)"')
    local n = body:match('name="n" value="(%d+)"')
    if a ~= nil and n ~= nil then
      action, position = a, n
      return
    end
  elseif status == 303 then
    finished = finished + 1
    next_member()
    return
  end
  other = other + 1
  if sample == nil then sample = status .. " " .. string.sub(body or "", 1, 200) end
  next_member()
end

function done(summary, latency, requests)
  local a, s, f, o, x = 0, 0, 0, 0, 0
  local samples = ""
  for _, t in ipairs(threads) do
    a = a + t:get("answers")
    s = s + t:get("starts")
    f = f + t:get("finished")
    o = o + t:get("other")
    x = x + t:get("exhausted")
    local one = t:get("sample")
    if one ~= nil and samples == "" then samples = one end
  end
  io.write(string.format('CONTEST {"answers":%d,"starts":%d,"finished":%d,"other":%d,"exhausted":%d,"sample":%q}\n',
    a, s, f, o, x, samples))
end
