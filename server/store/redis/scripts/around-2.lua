#!lua flags=no-writes
--@include records
-- Up to `limit` records centred on a player, shifted to stay full at either end. KEYS: the
-- board's records, the period's ranking. ARGV: period, player id, limit. Returns the 0-based rank
-- of the first, the members and their records; false when the player has no record.

local record = redis.call('HGET', KEYS[1], ARGV[1] .. ':' .. ARGV[2])
if not record then
  return false
end
local limit = tonumber(ARGV[3])
local at = redis.call('ZRANK', KEYS[2], recordMember(record, ARGV[2]))
local size = redis.call('ZCARD', KEYS[2])
local first = math.max(0, math.min(at - math.floor((limit - 1) / 2), size - limit))
local members = redis.call('ZRANGE', KEYS[2], first, first + limit - 1)
return { first, members, recordsOf(KEYS[1], ARGV[1], members) }
