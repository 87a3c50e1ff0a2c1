-- wrk script for the join benchmark: every request POSTs the next pregenerated
-- application (a unique valid identity) to the platform API with its own
-- Idempotency-Key. Threads take every n-th line of the bodies file, so no identity is
-- sent twice. Arguments (after --): BODIES_FILE API_KEY THREADS [ACK_LOG [KEY_PREFIX]]
-- (KEY_PREFIX, default "bench-": a second run against the same server needs its own keys,
-- or every request is a 422 idempotency_mismatch; ACK_LOG may be "").
-- With ACK_LOG, every 201 is logged as "application_id<TAB>member_number<TAB>body" to
-- ACK_LOG.<thread>, and every request sent as "idx" to ACK_LOG.sent.<thread> (the crash
-- check reads them and retries every one); statuses are counted either way.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local path, key, nthreads, log = args[1], args[2], tonumber(args[3]), args[4]
  prefix = args[5] or "bench-"
  bodies = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == tid then bodies[#bodies + 1] = line end
    i = i + 1
  end
  idx, created, other, exhausted = 0, 0, 0, 0
  statuses = {}
  if log ~= nil and log ~= "" then
    ack = io.open(log .. "." .. tid, "w")
    sent = io.open(log .. ".sent." .. tid, "w")
  end
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
end

function request()
  idx = idx + 1
  local body = bodies[idx]
  if body == nil then
    -- Out of identities: ask for the health check instead, and say so at the end.
    exhausted = exhausted + 1
    return wrk.format("GET", "/healthz")
  end
  headers["Idempotency-Key"] = prefix .. tid .. "-" .. idx
  if sent ~= nil then
    sent:write(idx .. "\n")
    sent:flush()
  end
  return wrk.format("POST", "/api/v1/applications", headers, body)
end

function response(status, hdrs, body)
  if status == 201 then
    created = created + 1
    if ack ~= nil then
      local id = body:match('"application_id"%s*:%s*(%d+)')
      local number = body:match('"member_number"%s*:%s*"(%d+)"')
      ack:write((id or "?") .. "\t" .. (number or "") .. "\t" .. body .. "\n")
      -- Flushed at once: a thread's Lua state is never closed, so a buffer would be lost.
      ack:flush()
    end
  else
    other = other + 1
    statuses[status] = (statuses[status] or 0) + 1
    if sample == nil then sample = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local c, o, x = 0, 0, 0
  local samples = ""
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
    x = x + t:get("exhausted")
    local s = t:get("sample")
    if s ~= nil and samples == "" then samples = s end
  end
  io.write(string.format('JOINS {"created":%d,"other":%d,"exhausted":%d,"sample":%q}\n', c, o, x, samples))
end
