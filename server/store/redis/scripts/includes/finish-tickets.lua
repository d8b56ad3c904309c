-- finish-tickets-8.lua as a function of its arguments (ARGV here), for it and its batch.
local function finishTickets(ARGV)
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
end
