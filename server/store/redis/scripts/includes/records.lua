-- Leaderboard records. A ranking member is scoreKey(rank score) .. timeKey(updated at) .. player id
-- (rank-order.ts); a record (a field of the board's records hash) is the same two keys, then the
-- score as text, a newline and the name. Scores cross the wire as text: tonumber() reads the
-- shortest round-trip form JavaScript writes, and '%.17g' writes any double back exactly.

local MEMBER_PREFIX = 32

local function scoreText(score)
  return string.format('%.17g', score + 0)
end

-- The bits of the double, big-endian, sign bit flipped for positives, all bits for negatives.
local function scoreKey(score)
  local b = { string.byte(struct.pack('>d', score + 0), 1, 8) }
  if b[1] >= 128 then
    for i = 1, 8 do
      b[i] = 255 - b[i]
    end
  else
    b[1] = b[1] + 128
  end
  return string.format('%02x%02x%02x%02x%02x%02x%02x%02x', b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8])
end

local function recordScore(record)
  return string.sub(record, MEMBER_PREFIX + 1, string.find(record, '\n', MEMBER_PREFIX + 1, true) - 1)
end

local function recordMember(record, playerId)
  return string.sub(record, 1, MEMBER_PREFIX) .. playerId
end

-- The records of a period's ranking members, in their order.
local function recordsOf(recordsKey, period, members)
  local records = {}
  for i, member in ipairs(members) do
    records[i] = redis.call('HGET', recordsKey, period .. ':' .. string.sub(member, MEMBER_PREFIX + 1))
  end
  return records
end
