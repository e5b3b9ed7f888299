-- wrk script: read the latest version of one secret.
request = function()
  return wrk.format("GET", "/v1/0123456789abcdef0123456789abcdef/secrets/bench/versions/latest",
    {["Content-Type"] = "application/json"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p99_ms=%.2f non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status))
end
