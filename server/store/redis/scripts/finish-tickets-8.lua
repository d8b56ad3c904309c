#!lua
--@include tickets
-- Move searching tickets to one final state, all or none: false (nothing written) when any one is
-- not searching, or when the claim is fenced by a queue lease whose token is no longer the queue's
-- (another lobby took the queue over). The change is published, in the same step, as
-- 'origin\nfinal\nticket...' on the channel, so watchers in every process hear it. KEYS: the seven
-- ticket keys, then the leases hash. ARGV: now, drop at, final JSON, channel, origin, fence queue
-- and token ('' for an unfenced claim), the ticket ids. Returns the tickets as created.

local LEASES = KEYS[8]
if ARGV[6] ~= '' then
  local lease = redis.call('HGET', LEASES, ARGV[6])
  if not lease or string.match(lease, '^(%d+) ') ~= ARGV[7] then
    return false
  end
end
for i = 8, #ARGV do
  if not redis.call('ZSCORE', SEARCHING, ARGV[i]) then
    return false
  end
end
dropFinished(ARGV[1])
local tickets = {}
for i = 8, #ARGV do
  local ticketId = ARGV[i]
  redis.call('ZREM', SEARCHING, ticketId)
  redis.call('HSET', FINALS, ticketId, ARGV[3])
  redis.call('ZADD', FINISHED, ARGV[2], ticketId)
  for _, playerId in ipairs(cmsgpack.unpack(redis.call('HGET', PARTIES, ticketId))) do
    if redis.call('HGET', LIVE, playerId) == ticketId then
      redis.call('HDEL', LIVE, playerId)
    end
  end
  tickets[#tickets + 1] = redis.call('HGET', TICKETS, ticketId)
end
redis.call('PUBLISH', ARGV[4], ARGV[5] .. '\n' .. ARGV[3] .. '\n' .. table.concat(tickets, '\n'))
return tickets
