#!lua
--@include directory
-- Record a room unless its id or join code is held by a present room, or its creator already holds
-- as many live rooms as its caps allow (rooms.ts CreatorLimits). Every check comes before the first
-- write, so nothing is written on a refusal. ARGV: base, now, room id, node id, mode, public (1/0),
-- code ('' for none), max players, created at, record JSON, held until, creator player id and
-- address ('' for a room the matchmaker made), cap per player and per address ('' for none).
-- Returns 1, or why not: 'taken', 'player-limit', 'address-limit' or 'node-full' (the node is alive
-- and holds its maxRooms, as it reported or as present here since).

local now = tonumber(ARGV[2])
local roomId, nodeId, mode, code = ARGV[3], ARGV[4], ARGV[5], ARGV[7]
local player, address, perPlayer, perAddress = ARGV[12], ARGV[13], ARGV[14], ARGV[15]

-- The creator's live rooms in one of its sets: present and not ended.
local function liveCreated(setKey)
  local count = 0
  for _, id in ipairs(redis.call('SMEMBERS', setKey)) do
    if redis.call('HGET', roomKey(id), 'ended') == '0' and roomPresent(id, now) then
      count = count + 1
    end
  end
  return count
end

purgeDeadNodes(ARGV[2])
local existing = redis.call('EXISTS', roomKey(roomId)) == 1
if existing and roomPresent(roomId, now) then
  return 'taken'
end
-- A hidden holder of the code keeps its room (its node may still report it); only the code moves.
local holder = code ~= '' and redis.call('HGET', CODES, code)
if holder and roomPresent(holder, now) then
  return 'taken'
end
if player ~= '' then
  if perPlayer ~= '' and liveCreated(byPlayerKey(player)) >= tonumber(perPlayer) then
    return 'player-limit'
  end
  if perAddress ~= '' and liveCreated(byAddressKey(address)) >= tonumber(perAddress) then
    return 'address-limit'
  end
end

if nodeAlive(nodeId, now) then
  local status = cjson.decode(redis.call('HGET', NODES, nodeId))
  local present = redis.call('ZCOUNT', nodePresentKey(nodeId), '(' .. ARGV[2], '+inf')
  if math.max(status.rooms, present) >= status.maxRooms then
    return 'node-full'
  end
end

if existing then
  -- A room of the same id that is not present (nobody came) is replaced.
  removeRoom(roomId)
end
redis.call(
  'HSET', roomKey(roomId),
  'record', ARGV[10], 'node', nodeId, 'mode', mode, 'public', ARGV[6], 'max', ARGV[8],
  'created', ARGV[9], 'ended', '0', 'reported', '0', 'until', ARGV[11]
)
if code ~= '' then
  redis.call('HSET', roomKey(roomId), 'code', code)
  redis.call('HSET', CODES, code, roomId)
end
if player ~= '' then
  redis.call('HSET', roomKey(roomId), 'player', player, 'address', address)
  redis.call('SADD', byPlayerKey(player), roomId)
  redis.call('SADD', byAddressKey(address), roomId)
end
redis.call('SADD', nodeRoomsKey(nodeId), roomId)
redis.call('ZADD', nodePresentKey(nodeId), ARGV[11], roomId)
if ARGV[6] == '1' then
  redis.call('SADD', publicKey(mode), roomId)
end
return 1
