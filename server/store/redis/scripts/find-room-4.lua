#!lua flags=no-writes
--@include directory
-- A live room by id or by join code. ARGV: base, now, 'id' or 'code', the id or code.

local roomId = ARGV[4]
if ARGV[3] == 'code' then
  roomId = redis.call('HGET', CODES, roomId)
  if not roomId then
    return false
  end
end
if not roomLive(roomId, tonumber(ARGV[2])) then
  return false
end
return roomView(roomId)
