#!lua flags=no-writes
--@include directory
-- A present room by id or by join code. A lookup never forgets a room (only a heartbeat does): one
-- whose hold ran out unreported is hidden until its node's next heartbeat. ARGV: base, now, 'id' or
-- 'code', the id or code.

local roomId = ARGV[4]
if ARGV[3] == 'code' then
  roomId = redis.call('HGET', CODES, roomId)
  if not roomId then
    return false
  end
end
if not roomPresent(roomId, tonumber(ARGV[2])) then
  return false
end
return roomView(roomId)
