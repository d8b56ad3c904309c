#!lua flags=no-writes
--@include tickets
-- A ticket as created and its final state ('' while searching); false when unknown or when a
-- final ticket's time to stay readable is over. ARGV: now, ticket id.

local ticket = redis.call('HGET', TICKETS, ARGV[2])
if not ticket then
  return false
end
local final = redis.call('HGET', FINALS, ARGV[2])
if not final then
  return { ticket, '' }
end
local dropAt = redis.call('ZSCORE', FINISHED, ARGV[2])
if dropAt and tonumber(dropAt) <= tonumber(ARGV[1]) then
  return false
end
return { ticket, final }
