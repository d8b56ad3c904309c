#!lua
--@include tickets
-- Move searching tickets to one final state, all or none: false (nothing written) when any one is
-- not searching. The change is published, in the same step, as 'origin\nfinal\nticket...' on the
-- channel, so watchers in every process hear it. ARGV: now, drop at, final JSON, channel, origin,
-- the ticket ids. Returns the tickets as created.

for i = 6, #ARGV do
  if not redis.call('ZSCORE', SEARCHING, ARGV[i]) then
    return false
  end
end
dropFinished(ARGV[1])
local tickets = {}
for i = 6, #ARGV do
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
