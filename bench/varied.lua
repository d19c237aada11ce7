-- wrk script for bench/lookup.py: every request a different path from a file.
--   wrk -t2 -c20 -d10s --latency -s bench/varied.lua http://HOST:PORT -- PATHS_FILE START THREADS
-- PATHS_FILE holds one path (with its query string) a line; START is how many of them earlier
-- runs used. Thread k of THREADS sends lines START+k, START+k+THREADS, ... so none repeats.

local count = 0
local paths = {}
local i = 0
local step = 1

function setup(thread)
   thread:set("id", count)
   count = count + 1
end

function init(args)
   for line in io.lines(args[1]) do
      paths[#paths + 1] = line
   end
   i = tonumber(args[2]) + id
   step = tonumber(args[3])
end

function request()
   local path = paths[(i % #paths) + 1]
   i = i + step
   return wrk.format("GET", path)
end
