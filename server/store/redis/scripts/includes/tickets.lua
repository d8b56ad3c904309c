-- Matchmaking tickets. Every ticket script declares the same seven keys:
--   tickets    hash: ticket id -> the ticket as created (JSON, never rewritten)
--   parties    hash: ticket id -> its player ids (cmsgpack list)
--   finals     hash: ticket id -> its final status and match (JSON)
--   searching  sorted set: searching ticket ids by creation sequence (oldest first)
--   live       hash: player id -> the searching ticket that holds them
--   finished   sorted set: final ticket ids by when they may be dropped (ms, injected clock)
--   sequence   counter behind the creation sequence

local TICKETS, PARTIES, FINALS, SEARCHING, LIVE, FINISHED, SEQUENCE =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

-- Drop final tickets whose time to stay readable is over, a bounded batch per call.
local function dropFinished(now)
  for _, ticketId in ipairs(redis.call('ZRANGEBYSCORE', FINISHED, '-inf', now, 'LIMIT', 0, 100)) do
    redis.call('HDEL', TICKETS, ticketId)
    redis.call('HDEL', PARTIES, ticketId)
    redis.call('HDEL', FINALS, ticketId)
    redis.call('ZREM', FINISHED, ticketId)
  end
end
