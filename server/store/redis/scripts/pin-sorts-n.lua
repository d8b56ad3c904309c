#!lua
-- Stored rank keys depend on a board's sort order, so a sort may change only while the board holds
-- no record. KEYS[1]: the boards hash; KEYS[1 + i]: the records of board i. ARGV: board id and
-- sort per board. Refuses (naming the board and its pinned sort) before writing anything.

for i = 1, #ARGV / 2 do
  local board, sort = ARGV[2 * i - 1], ARGV[2 * i]
  local pinned = redis.call('HGET', KEYS[1], board)
  if pinned and pinned ~= sort and redis.call('HLEN', KEYS[1 + i]) > 0 then
    return { board, pinned }
  end
end
for i = 1, #ARGV / 2 do
  redis.call('HSET', KEYS[1], ARGV[2 * i - 1], ARGV[2 * i])
end
return {}
