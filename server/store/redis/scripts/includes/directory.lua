-- The room directory. Every directory script declares the same four keys and gets the directory's
-- key base (e.g. '{tickforge:dir}:') as ARGV[1]: per-room and per-node keys are found while the
-- script runs, so they are derived from the base here and keep the directory's hash tag.
--   room:<id>        hash: record (JSON, as the lobby made it), node, mode, public, code, max,
--                    created, ended, reported (1 when the node's last heartbeat had it), seated
--                    (cmsgpack list of player ids), until (held until, ms: the latest seat token
--                    minted for it), player and address (its creator's, absent for matchmade rooms)
--   held:<id>        hash: player id -> when the promised seat's token expires (ms)
--   node-rooms:<id>  set of the node's room ids
--   node-present:<id> sorted set of the node's rooms by until when present: +inf while its node
--                    reports it, else its hold (liveNodes counts the present ones in O(log n))
--   public:<mode>    set of the mode's public rooms that have not ended
--   by-player:<id>   set of the rooms a player created (counted against its cap)
--   by-address:<ip>  set of the rooms created from a client address (counted against its cap)

local NODES, NODE_EXPIRY, CODES, PROMISED = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base = ARGV[1]

local function roomKey(roomId)
  return base .. 'room:' .. roomId
end
local function heldKey(roomId)
  return base .. 'held:' .. roomId
end
local function nodeRoomsKey(nodeId)
  return base .. 'node-rooms:' .. nodeId
end
local function nodePresentKey(nodeId)
  return base .. 'node-present:' .. nodeId
end
local function publicKey(mode)
  return base .. 'public:' .. mode
end

local function nodeAlive(nodeId, now)
  if not nodeId then
    return false
  end
  local expiresAt = redis.call('ZSCORE', NODE_EXPIRY, nodeId)
  return expiresAt ~= false and tonumber(expiresAt) > now
end

local function byPlayerKey(playerId)
  return base .. 'by-player:' .. playerId
end
local function byAddressKey(address)
  return base .. 'by-address:' .. address
end

-- A room is present when its node is alive and has it (its last heartbeat said so) or a seat token
-- minted for it may still make it there (until its hold). A room of a dead node is gone; one whose
-- hold ran out unreported is hidden, and only its node's next heartbeat forgets it or brings it back.
local function roomPresent(roomId, now)
  local room = redis.call('HMGET', roomKey(roomId), 'node', 'reported', 'until')
  return nodeAlive(room[1], now) and (room[2] == '1' or tonumber(room[3] or 0) > now)
end

local function seatedOf(roomId)
  local packed = redis.call('HGET', roomKey(roomId), 'seated')
  if not packed then
    return {}
  end
  return cmsgpack.unpack(packed)
end

-- Players the room holds or has promised a seat to, each once (rooms.ts occupancy()).
local function occupancy(roomId, now)
  local seated = seatedOf(roomId)
  local isSeated = {}
  for _, playerId in ipairs(seated) do
    isSeated[playerId] = true
  end
  local count = #seated
  local held = redis.call('HGETALL', heldKey(roomId))
  for i = 1, #held, 2 do
    if tonumber(held[i + 1]) > now and not isSeated[held[i]] then
      count = count + 1
    end
  end
  return count, isSeated, held
end

-- What the lobby reads of a room: record JSON, ended flag, seated players, promised seats, hold.
local function roomView(roomId)
  local room = roomKey(roomId)
  return {
    redis.call('HGET', room, 'record'),
    redis.call('HGET', room, 'ended'),
    seatedOf(roomId),
    redis.call('HGETALL', heldKey(roomId)),
    redis.call('HGET', room, 'until'),
  }
end

local function removeRoom(roomId)
  local room = roomKey(roomId)
  local fields = redis.call('HMGET', room, 'node', 'mode', 'code', 'player', 'address')
  for _, playerId in ipairs(redis.call('HKEYS', heldKey(roomId))) do
    if redis.call('HGET', PROMISED, playerId) == roomId then
      redis.call('HDEL', PROMISED, playerId)
    end
  end
  if fields[3] and redis.call('HGET', CODES, fields[3]) == roomId then
    redis.call('HDEL', CODES, fields[3])
  end
  if fields[2] then
    redis.call('SREM', publicKey(fields[2]), roomId)
  end
  if fields[1] then
    redis.call('SREM', nodeRoomsKey(fields[1]), roomId)
    redis.call('ZREM', nodePresentKey(fields[1]), roomId)
  end
  if fields[4] then
    redis.call('SREM', byPlayerKey(fields[4]), roomId)
  end
  if fields[5] then
    redis.call('SREM', byAddressKey(fields[5]), roomId)
  end
  redis.call('DEL', room, heldKey(roomId))
end

-- How long a node whose heartbeat expired is remembered with its rooms (rooms.ts
-- DEAD_NODE_FORGET_MS): not live and its rooms not present meanwhile, but a beat after an outage or
-- a stall longer than its TTL brings back the rooms it still reports.
local DEAD_NODE_FORGET_MS = 600000

-- Nodes whose heartbeat expired longer than DEAD_NODE_FORGET_MS ago leave, and their rooms with them.
local function purgeDeadNodes(now)
  local cutoff = tonumber(now) - DEAD_NODE_FORGET_MS
  for _, nodeId in ipairs(redis.call('ZRANGEBYSCORE', NODE_EXPIRY, '-inf', cutoff)) do
    for _, roomId in ipairs(redis.call('SMEMBERS', nodeRoomsKey(nodeId))) do
      removeRoom(roomId)
    end
    redis.call('DEL', nodeRoomsKey(nodeId), nodePresentKey(nodeId))
    redis.call('HDEL', NODES, nodeId)
    redis.call('ZREM', NODE_EXPIRY, nodeId)
  end
end
