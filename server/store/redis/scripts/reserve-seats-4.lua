#!lua
--@include directory
--@include reserve-seats
-- Promise players a seat each until ARGV[4], all or none, atomically against the room's capacity,
-- and hold the room at least that long; a player holds one promise at a time, so one made
-- elsewhere and not taken is given back (that room stays held until the token minted for it
-- expires). ARGV: base, now, room id, expires at, the player ids. Returns the room, or why not:
-- 'unknown', 'ended' or 'full'.

return reserveSeats(ARGV)
