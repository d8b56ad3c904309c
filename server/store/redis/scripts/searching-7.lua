#!lua flags=no-writes
--@include tickets
-- Every searching ticket as created, oldest first.

local tickets = {}
for i, ticketId in ipairs(redis.call('ZRANGE', SEARCHING, 0, -1)) do
  tickets[i] = redis.call('HGET', TICKETS, ticketId)
end
return tickets
