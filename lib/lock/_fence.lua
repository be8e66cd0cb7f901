-- Shared by acquire-2 and raise-fence-2 (pasted by the loader's --@include).
-- Fencing tokens are hybrid-logical-clock values: the server's clock in microseconds since the
-- epoch (Redis TIME), or the resource's last token + 1 when the clock has not moved past it (two
-- tokens in one microsecond, a clock stepped back, a quorum that raised the counter ahead of this
-- clock). The clock is what survives a failover: a promoted replica that never saw the last
-- tokens still issues higher ones, as long as its clock is not behind the old master's by more
-- than the failover took. The counter only has to outlive the time until the clock passes it,
-- and Redis judges a key's expiry by that same clock: a counter stored until `token + ttl` is
-- gone only once TIME is beyond the token, so it may expire without a token ever being reissued.
-- Numbers: ~1.8e15 µs, exact in Lua's doubles (up to 2^53) and in JavaScript's; stored with %.0f,
-- since Lua's own number-to-string conversion keeps only 14 significant digits.

-- The server's clock, µs since the epoch.
local function fenceClock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- Stores `token` as the last token of `key`, kept until `ttl` ms after this server's clock reaches
-- it (`now`: fenceClock(); a token this clock has passed already, as a quorum may raise a node to,
-- is kept `ttl` ms from now); 1 ms more for the rounding to ms.
local function storeFence(key, token, now, ttl)
  local ahead = math.ceil((token - now) / 1000)
  if ahead < 0 then ahead = 0 end
  redis.call('SET', key, string.format('%.0f', token), 'PX', ahead + ttl + 1)
end

-- Issues the next token of the resource whose counter is `key` (`ttl`: the lease TTL, ms). The
-- common case is one call: the clock has passed the last token, so the token is `now`, and
-- SET ... GET stores it (as storeFence would: PX ttl + 1) while returning the last one to check.
local function issueFence(key, ttl)
  local now = fenceClock()
  local last = redis.call('SET', key, string.format('%.0f', now), 'PX', ttl + 1, 'GET')
  if last and tonumber(last) >= now then
    local token = tonumber(last) + 1
    storeFence(key, token, now, ttl)
    return token
  end
  return now
end
