#!lua
--@include records
-- Apply score submissions, all or none. Three keys per submission: its board's claims, records and
-- the ranking of its period. ARGV[1] is the time key of now; then seven arguments per submission:
-- operator, sort, period, player id, name, score, idempotency key. Every outcome is decided before
-- the first write, so a batch that fails (an increment overflowing) writes nothing.

local stamp = ARGV[1]
local claims, records = {}, {}
local newClaims, writes, results = {}, {}, {}

-- A hash field as this batch sees it: read once, then as the batch left it (false when absent).
local function lookup(cache, hash, field)
  local fields = cache[hash]
  if not fields then
    fields = {}
    cache[hash] = fields
  end
  local value = fields[field]
  if value == nil then
    value = redis.call('HGET', hash, field)
    fields[field] = value
  end
  return value
end

for i = 0, #KEYS / 3 - 1 do
  local claimsKey, recordsKey, rankingKey = KEYS[3 * i + 1], KEYS[3 * i + 2], KEYS[3 * i + 3]
  local a = 7 * i + 1
  local operator, sort, period, playerId = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local name, submitted, key = ARGV[a + 5], tonumber(ARGV[a + 6]), ARGV[a + 7]
  local field = period .. ':' .. playerId
  local owner = lookup(claims, claimsKey, key)
  if owner then
    -- A key is claimed once its player has a record in that period; an operator may have removed
    -- the record since (remove-record, reset-period), and the key still counts as used.
    local prior = string.sub(owner, 1, string.find(owner, ':', 1, true) - 1)
    local priorRecord = lookup(records, recordsKey, owner)
    results[i + 1] = { 'duplicate', prior, priorRecord and recordScore(priorRecord) or '0' }
  else
    claims[claimsKey][key] = field
    newClaims[#newClaims + 1] = { claimsKey, key, field }
    local record = lookup(records, recordsKey, field)
    local current = record and tonumber(recordScore(record))
    local score
    if not current or operator == 'set' then
      score = submitted
    elseif operator == 'increment' then
      score = current + submitted
    elseif (sort == 'desc' and submitted > current) or (sort == 'asc' and submitted < current) then
      score = submitted
    end
    if score == nil then
      results[i + 1] = { 'unchanged', period, recordScore(record) }
    else
      if score == math.huge or score == -math.huge then
        return { 'overflow', i }
      end
      local rankScore = score
      if sort == 'desc' then
        rankScore = 0 - score
      end
      local updated = scoreKey(rankScore) .. stamp .. scoreText(score) .. '\n' .. name
      records[recordsKey][field] = updated
      writes[#writes + 1] = { recordsKey, rankingKey, field, playerId, record, updated }
      results[i + 1] = { 'applied', period, scoreText(score) }
    end
  end
end

for _, claim in ipairs(newClaims) do
  redis.call('HSET', claim[1], claim[2], claim[3])
end
for _, w in ipairs(writes) do
  redis.call('HSET', w[1], w[3], w[6])
  if w[5] then
    redis.call('ZREM', w[2], recordMember(w[5], w[4]))
  end
  redis.call('ZADD', w[2], 0, recordMember(w[6], w[4]))
end
return { 'ok', results }
