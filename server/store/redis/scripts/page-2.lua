#!lua flags=no-writes
--@include records
-- A page of a period in ranking order. KEYS: the board's records, the period's ranking. ARGV:
-- period, how many, and the member to start strictly after ('' for the first page). Returns the
-- 0-based rank of the first, the members and their records.

local count = tonumber(ARGV[2])
local start, members = 0, nil
if ARGV[3] == '' then
  members = redis.call('ZRANGE', KEYS[2], 0, count - 1)
else
  start = redis.call('ZLEXCOUNT', KEYS[2], '-', '[' .. ARGV[3])
  members = redis.call('ZRANGE', KEYS[2], '(' .. ARGV[3], '+', 'BYLEX', 'LIMIT', 0, count)
end
return { start, members, recordsOf(KEYS[1], ARGV[1], members) }
