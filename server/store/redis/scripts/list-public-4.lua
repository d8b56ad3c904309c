#!lua flags=no-writes
--@include directory
-- Public rooms of a mode that are present and have not ended: those with a free seat first, then
-- the fullest, the oldest, the smallest id (by bytes). ARGV: base, now, mode, limit.

local now = tonumber(ARGV[2])

local function bytesBefore(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

local open = {}
for _, roomId in ipairs(redis.call('SMEMBERS', publicKey(ARGV[3]))) do
  local room = redis.call('HMGET', roomKey(roomId), 'node', 'ended', 'max', 'created')
  if room[2] == '0' and roomPresent(roomId, now) then
    local taken = occupancy(roomId, now)
    open[#open + 1] = { id = roomId, taken = taken, free = taken < tonumber(room[3]), created = tonumber(room[4]) }
  end
end
table.sort(open, function(a, b)
  if a.free ~= b.free then
    return a.free
  end
  if a.taken ~= b.taken then
    return a.taken > b.taken
  end
  if a.created ~= b.created then
    return a.created < b.created
  end
  return bytesBefore(a.id, b.id)
end)
local rooms = {}
for i = 1, math.min(#open, tonumber(ARGV[4])) do
  rooms[i] = roomView(open[i].id)
end
return rooms
