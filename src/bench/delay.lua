-- wrk script for the latency scenario (src/bench/run.sh): each connection waits 10 ms
-- before each request, so 10 connections give a steady ~1,000 req/s instead of the
-- maximum rate, and the percentiles describe latency at a moderate load, not queueing.
function delay()
   return 10
end
