-- Shared wrk script: cookie header, per-status counting, p50/p95/p99 in one JSON line at the end.
-- bench/run.py prepends:  PATH_, METHOD_, COOKIE_, CSRF_, EXPECT_, POSTS_ (per thread: {{pk, version}, ...}).
local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  bad = 0
  wrk.headers["Cookie"] = COOKIE_
  wrk.headers["Accept-Language"] = "zh-hans"
end

function request()
  if METHOD_ == "GET" then
    return wrk.format("GET", PATH_)
  end
  local mine = POSTS_[id]
  local n = #mine
  local i = (counter % n) + 1
  local round = math.floor(counter / n)
  counter = counter + 1
  local row = mine[i]
  local body = "csrfmiddlewaretoken=" .. CSRF_ .. "&status=in_progress&progress=" .. (50 + 5 * (round % 2))
    .. "&note=bench&version=" .. (row[2] + round)
  local path = string.gsub(PATH_, "PK", tostring(row[1]))
  -- wrk.format ignores wrk.headers when given headers: repeat the cookie here.
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded",
                                   ["X-CSRFToken"] = CSRF_, ["Cookie"] = COOKIE_}, body)
end

function response(status, headers, body)
  if status ~= EXPECT_ then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bads = 0
  for _, thread in ipairs(threads) do
    bads = bads + thread:get("bad")
  end
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.1f, "p95": %.1f, "p99": %.1f, ' ..
    '"bad": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, bads,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
