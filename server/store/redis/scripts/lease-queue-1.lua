#!lua
-- Take, renew or give up a matchmaking queue's lease. KEYS: the leases hash (queue -> 'token until
-- holder', in the tickets' hash tag so a fenced finish reads it in the same slot). ARGV: now, queue,
-- holder, until ('0' gives the lease up). The token grows each time the lease changes hands and is
-- kept when the lease is given up, so it never goes back. Returns the token, or false while another
-- holder's lease is valid (and when giving up).

local LEASES = KEYS[1]
local now, queue, holder, untilMs = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local token, heldUntil, heldBy = 0, 0, ''
local lease = redis.call('HGET', LEASES, queue)
if lease then
  local t, u, h = string.match(lease, '^(%d+) (%d+) (.*)$')
  token, heldUntil, heldBy = tonumber(t), tonumber(u), h
end
if heldBy ~= holder and heldUntil > now then
  return false
end
if untilMs == '0' then
  if heldBy == holder then
    redis.call('HSET', LEASES, queue, string.format('%d 0 %s', token, holder))
  end
  return false
end
if heldBy ~= holder then
  token = token + 1
end
redis.call('HSET', LEASES, queue, string.format('%d %s %s', token, untilMs, holder))
return token
