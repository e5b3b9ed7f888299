-- wrk script: create secrets with unique names (per thread prefix + counter), 100-byte values.
local counter = 0
local thread_id = 0
function setup(thread)
  thread_id = thread_id + 1
  thread:set("prefix", "run" .. os.time() .. "-t" .. thread_id)
end
request = function()
  counter = counter + 1
  local body = '{"name":"' .. prefix .. '-' .. counter .. '","secret_string":"' .. string.rep("x", 100) .. '"}'
  return wrk.format("POST", "/v1/0123456789abcdef0123456789abcdef/secrets",
    {["Content-Type"] = "application/json;charset=utf-8"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p99_ms=%.2f non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status))
end
