-- wrk script for bench/run.py.
-- wrk's own summary has no p95 and counts redirects as successes; a signed-out session would be
-- redirected to the login page, so every status other than 200 is counted here as an error.
-- The first script argument caps the requests each wrk thread sends (0: no cap).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  cap = tonumber(args[1]) or 0
  seen = 0
  non_200 = 0
end

function response(status, headers, body)
  seen = seen + 1
  if status ~= 200 then
    non_200 = non_200 + 1
  end
  if cap > 0 and seen >= cap then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_200")
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.6f, "non_200": %d, "socket_errors": %d, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f}\n',
    summary.requests,
    summary.duration / 1e6,
    bad,
    socket_errors,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000
  ))
end
