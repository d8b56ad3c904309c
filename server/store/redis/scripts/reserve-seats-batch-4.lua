#!lua
--@include directory
--@include reserve-seats
--@include batch
-- reserve-seats-4.lua for several calls at once, each as if run alone, one after the other
-- (includes/batch.lua: ARGV and the reply).

return batch(reserveSeats)
