#!lua flags=no-writes
--@include records
-- A player's record and 0-based rank in one period. KEYS: the board's records, the period's
-- ranking. ARGV: period, player id.

local record = redis.call('HGET', KEYS[1], ARGV[1] .. ':' .. ARGV[2])
if not record then
  return false
end
return { redis.call('ZRANK', KEYS[2], recordMember(record, ARGV[2])), record }
