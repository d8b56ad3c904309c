#!lua
--@include records
-- An operator starts a board's period over. KEYS: the board's records hash, the period's ranking.
-- ARGV: period. Deletes every record of the period and its ranking; returns how many. One script
-- (atomic), O(records of the period): an operator's rare action, not a request path. Claims stay.

local members = redis.call('ZRANGE', KEYS[2], 0, -1)
for i = 1, #members, 500 do
  local fields = {}
  for j = i, math.min(i + 499, #members) do
    fields[#fields + 1] = ARGV[1] .. ':' .. string.sub(members[j], MEMBER_PREFIX + 1)
  end
  redis.call('HDEL', KEYS[1], unpack(fields))
end
redis.call('DEL', KEYS[2])
return #members
