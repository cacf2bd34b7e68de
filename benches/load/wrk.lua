-- wrk script for benches/load/run.py and contention.py: one request shape, many logged-in
-- learners. Settings come from the environment (wrk passes no arguments to `init` portably):
--   LOAD_METHOD      GET or POST
--   LOAD_PATH        request path, e.g. /api/exercises/m1-place-lulea
--   LOAD_COOKIES     file with one `name=value` session cookie per line (optional)
--   LOAD_BODY        file whose bytes are the POST body (optional; sent as application/json)
--   LOAD_RESULT      file the summary is written to as one JSON object
-- Each wrk thread has its own Lua state: it rotates through the cookies from its own offset,
-- so every learner's session is used and no single session row is hot.

local method = os.getenv("LOAD_METHOD") or "GET"
local path = os.getenv("LOAD_PATH") or "/"
local cookies = {}
local body = nil

local function slurp(name)
  local f = assert(io.open(name, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local cookie_file = os.getenv("LOAD_COOKIES")
if cookie_file and cookie_file ~= "" then
  for line in io.lines(cookie_file) do
    if line ~= "" then cookies[#cookies + 1] = line end
  end
end
local body_file = os.getenv("LOAD_BODY")
if body_file and body_file ~= "" then body = slurp(body_file) end

local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  threads[#threads + 1] = thread
end

-- Answers outside 2xx, per thread (a plain number: wrk copies numbers between Lua states).
non2xx = 0

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(counter % #cookies) + 1] end
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("LOAD_RESULT"), "w"))
  local seconds = summary.duration / 1e6
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non2xx") or 0) end
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p99_ms": %.3f, "p999_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"non2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, latency.mean / 1000, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, bad))
  out:close()
end
