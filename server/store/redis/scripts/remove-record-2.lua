#!lua
--@include records
-- An operator removes one record of a period. KEYS: the board's records hash, the period's ranking.
-- ARGV: period, player id. Returns 1 if there was a record, 0 if not. Claims are left alone: a key
-- once used stays used.

local field = ARGV[1] .. ':' .. ARGV[2]
local record = redis.call('HGET', KEYS[1], field)
if not record then
  return 0
end
redis.call('ZREM', KEYS[2], recordMember(record, ARGV[2]))
redis.call('HDEL', KEYS[1], field)
return 1
