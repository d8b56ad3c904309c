#!lua
--@include tickets
-- Queue a ticket unless a party member already holds a searching one (then that member's id is
-- returned and nothing is written). ARGV: now, ticket id, ticket JSON, the party's player ids.

dropFinished(ARGV[1])
for i = 4, #ARGV do
  if redis.call('HEXISTS', LIVE, ARGV[i]) == 1 then
    return { 'conflict', ARGV[i] }
  end
end
local ticketId = ARGV[2]
local party = {}
for i = 4, #ARGV do
  party[#party + 1] = ARGV[i]
  redis.call('HSET', LIVE, ARGV[i], ticketId)
end
redis.call('HSET', TICKETS, ticketId, ARGV[3])
redis.call('HSET', PARTIES, ticketId, cmsgpack.pack(party))
redis.call('HDEL', FINALS, ticketId)
redis.call('ZREM', FINISHED, ticketId)
redis.call('ZADD', SEARCHING, redis.call('INCR', SEQUENCE), ticketId)
return { 'created' }
