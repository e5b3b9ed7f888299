-- wrk script: create versions of one secret (the 20-version cap keeps it bounded).
request = function()
  return wrk.format("POST", "/v1/0123456789abcdef0123456789abcdef/secrets/bench/versions",
    {["Content-Type"] = "application/json;charset=utf-8"},
    '{"secret_string":"' .. string.rep("y", 100) .. '"}')
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p99_ms=%.2f non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status))
end
