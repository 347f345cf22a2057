// The production store: everything wirewatch remembers lives in Redis under one key prefix, so
// several instances (and restarts) share it. Key layout, with `P` the prefix:
//   P src:{sourceId}:seen     string: the claim memory, 14 bytes per remembered item, oldest-seen
//                             first: the first 8 bytes of sha1(item key), each cut to its low 7 bits
//                             (56 bits in all), then the expiry in epoch ms as 6 bytes big-endian (a
//                             sorted set of the same costs ~100 bytes an item beyond 128 entries;
//                             this costs 14). Older layouts are converted on the next claim: a sorted
//                             set of raw keys, and records of 8 whole bytes (the marker "1").
//   P src:{sourceId}:seeded   "2" once the source completed a claim (first poll seeds, never floods);
//                             the digit names the memory's layout ("1": 8-bit hashes, before). Both
//                             live a year past the ttl after the last claim (CLAIM_KEEP_MS)
//   P src:{sourceId}:state    JSON FetchState
//   P watch:{channelKey}      sorted set, term → insertion rank
//   P rules:version           integer, INCR after every write that may change the channel rules
//   P channels                set of channel keys that had chat watch terms or settings written
//                             (a channel stays once added: bounded by the channels configured in chat)
//   P chan:{channelKey}:settings  JSON ChannelSettings
//   P held:{channelKey}       list of JSON Alert held for a digest, oldest first, capped
//   P held:{channelKey}:dropped   how many were dropped beyond the cap since the last take
//   P sent:{channelKey}       sorted set, unique member → epoch ms sent; trimmed to the window, PEXPIRE window
//   P msg:{deliveryKey}       JSON { ref, exp }: a platform message id; PX ttl
//   P {chatsrc}               hash, source id → JSON ChatSource (at most CHAT_SOURCES_MAX)
//   P {chatsrc}:order         sorted set, source id → insertion rank
//   P {stories}               hash, story id → JSON of the story's head ({ id, signature, firstAt })
//   P {stories}:r:{storyId}   hash, outlet → "seq at": the story's later reports (one write per report,
//                             never the whole story); PEXPIRE the story ttl, deleted with the story
//   P {stories}:first         sorted set, story id → firstAt epoch ms (the index `recentStories` reads)
//   P {stories}:exp           sorted set, story id → expiry epoch ms; expired ids are pruned on every put
//   P {news}:seq              integer: the sequence number of the last alert remembered for /news
//   P {news}:alerts           hash, sequence number → JSON RecentAlert; the newest `recentAlerts` are kept
//   P {news}:floor            integer: every alert at or below it is gone from the hash
//   P {news}:t:{term}         string: the sequence numbers of the alerts holding the term (news-index.ts),
//                             4 bytes little-endian each, ascending; PEXPIRE NEWS_TERM_TTL_MS from its
//                             last alert; every 16th new one, a dead first half is cut off
//   (P recent, the list of JSON RecentAlert of the layout before, is moved into the index on the first search)
//   P {outbox}                hash, alert id → JSON PendingDelivery
//   P {outbox}:due            sorted set, alert id → notBefore epoch ms (the truth for notBefore: a lease moves only this)
// The hash tags `{…}` keep every key one script or transaction touches in one cluster slot;
// commands that span two slots (the `channels` set and a channel's own keys) are sent separately.
// The story scripts name each story's reports key from the stories key they are given (same slot).
// The one exception is `claimAndCommit` (the hot path: one round trip per changed feed), whose
// script spans the source, outbox, recent, stories and rules keys: on a standalone Redis it is one
// script; on a Cluster client it runs as the single members, one slot at a time (not atomic).
// Expiry the contract can observe (messages, stories) is decided with the `now` clock from the
// stored expiry time; the real PEXPIRE/PX is a safety net that frees memory.
import type { Cluster, Redis } from 'ioredis';
import { compareText } from '../compare.js';
import { digest } from '../hash.js';
import { packed } from '../packed.js';
import { randomUUID } from 'node:crypto';
import { setImmediate as atCheckPhase } from 'node:timers';
import type { Alert, ChannelKey, ChannelSettings, ChatSource, FetchState, PendingDelivery, RecentAlert } from '../domain.js';
import {
  chatSourcesFull,
  defaultChannelSettings,
  commitMatches,
  emptyFetchState,
  STORE_DEFAULTS,
  storyJson,
  type ClaimOptions,
  type ClaimResult,
  type PollCommit,
  type PollCommitResult,
  type Store,
  type StoryRecord,
  type StoryReport,
  type StoryWrite,
} from './store.js';
import { intersectNewest, NEWS_TERM_TTL_MS, newsTerms } from './news-index.js';

/** At most this many sources can be added from chat (count); `addChatSource` throws beyond it. */
export const CHAT_SOURCES_MAX = STORE_DEFAULTS.chatSources;
/** Sent timestamps kept per channel at most (count), whatever the window: a guard, far above any platform pace. */
const SENT_MAX = 10_000;

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** Prepended to every key (e.g. `wirewatch:`), so several deployments can share one Redis. */
  prefix: string;
  /** How many recent alerts are kept for `/news` (count); `STORE_DEFAULTS.recentAlerts` by default. */
  recentAlerts?: number;
  /** True when the store created the client and must quit it on `close()`; false by default. */
  ownsClient?: boolean;
  /** The clock claims are timed with, in epoch ms; `Date.now` by default (tests pass a fake one). */
  now?: () => number;
}

/** A standalone or cluster ioredis client. */
export type RedisClient = Redis | Cluster;

/** Bytes of one remembered item in the claim memory: 8 of key hash, 6 of expiry. */
export const CLAIM_RECORD_BYTES = 14;
/** How long past the ttl a source's claim memory and seeded marker outlive its last claim: a year. */
export const CLAIM_KEEP_MS = 365 * 86_400_000;
/** The seeded marker's value, naming the claim memory's layout (7-bit key hashes). */
const CLAIM_LAYOUT = '2';

// The claim, shared by both claim scripts. `claimKeys(seen, seeded, now, expiry, ttl, maxKeys, hashes)`:
// `hashes` is the 8-byte hashes of the distinct item keys end to end (every byte below 128, so the
// command is all text: ioredis sends a command holding a Buffer through a slower path that copies
// every argument; docs/performance.md), `expiry` the new expiry in epoch ms. A record is expired
// when its expiry has passed, except those of the latest claim (the trailing records, which
// share the greatest expiry: a feed answering 304 for longer than the ttl still lists them, and
// must not alert them again when it changes). Answers which hashes were not remembered unexpired
// (1-based indexes, ascending), drops the expired records at the front of the memory (an expired
// one behind a live one, after claims with different ttls or clocks, stays until it reaches the
// front, never counted as remembered), appends every given hash with the new expiry (a re-seen
// one moves to the end), keeps the newest maxKeys records, and marks the source seeded. Both keys live
// CLAIM_KEEP_MS past the ttl (a year), so a source quiet for longer is seeded again instead of
// alerting its backlog. An empty batch only reads.
const CLAIM_CORE_LUA = `
local function unpack6(s, p)
  local a, b, c, d, e, f = string.byte(s, p, p + 5)
  return ((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f
end
local function pack6(n)
  local bytes = {}
  for i = 6, 1, -1 do
    bytes[i] = n % 256
    n = math.floor(n / 256)
  end
  return string.char(unpack(bytes))
end
-- The memory as records of 7-bit hashes. \`current\` is false when the seeded marker is not that of
-- this layout: the hash bytes are then cut to 7 bits, which gives what hashing the same keys gives
-- now (cutting twice changes nothing, so a memory without a marker is safe to cut too).
local function loadMemory(key, current)
  local kind = redis.call('TYPE', key).ok
  if kind == 'none' then return '' end
  if kind == 'zset' then
    local old = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    local parts = {}
    for i = 1, #old, 2 do
      local hex = string.sub(redis.sha1hex(old[i]), 1, 16)
      parts[#parts + 1] = (hex:gsub('..', function(x) return string.char(tonumber(x, 16) % 128) end)) .. pack6(tonumber(old[i + 1]))
    end
    redis.call('DEL', key)
    return table.concat(parts)
  end
  local blob = redis.call('GET', key)
  if #blob % ${CLAIM_RECORD_BYTES} ~= 0 then error({ err = 'WRONGTYPE ' .. key .. ' is not a wirewatch claim memory' }) end
  if current then return blob end
  local parts = {}
  for p = 1, #blob, ${CLAIM_RECORD_BYTES} do
    local a, b, c, d, e, f, g, h = string.byte(blob, p, p + 7)
    parts[#parts + 1] = string.char(a % 128, b % 128, c % 128, d % 128, e % 128, f % 128, g % 128, h % 128) .. string.sub(blob, p + 8, p + ${CLAIM_RECORD_BYTES - 1})
  end
  return table.concat(parts)
end
local function claimKeys(seen, seeded, now, expiry, ttl, maxKeys, hashes)
  local marker = redis.call('GET', seeded)
  local wasSeeded = marker and 1 or 0
  local n = #hashes / 8
  if n == 0 then return wasSeeded, {} end
  local blob = loadMemory(seen, marker == '${CLAIM_LAYOUT}')
  local expiry6 = pack6(tonumber(expiry))
  local latest = string.sub(blob, -6)
  local function live(p)
    return unpack6(blob, p + 8) > now or string.sub(blob, p + 8, p + 13) == latest
  end
  -- Each claim writes its records at the end with one expiry, so the expired records are the front
  -- of the memory (out of order only when clocks or ttls differ between claims): skip them, and
  -- find each incoming hash with string.find (C speed; a match must start a record) instead of
  -- walking every record in Lua, which cost ~1 ms a claim for a memory of 2,000.
  local from = 1
  while from <= #blob and not live(from) do from = from + ${CLAIM_RECORD_BYTES} end
  local known, drop = {}, {}
  for i = 1, n do
    local h = string.sub(hashes, i * 8 - 7, i * 8)
    if known[h] == nil then
      known[h] = false
      local q = string.find(blob, h, from, true)
      while q do
        if (q - 1) % ${CLAIM_RECORD_BYTES} == 0 then
          drop[#drop + 1] = q
          if live(q) then known[h] = true end
        end
        q = string.find(blob, h, q + 1, true)
      end
    end
  end
  table.sort(drop)
  local kept = {}
  for _, q in ipairs(drop) do
    if q > from then kept[#kept + 1] = string.sub(blob, from, q - 1) end
    from = q + ${CLAIM_RECORD_BYTES}
  end
  if from <= #blob then kept[#kept + 1] = string.sub(blob, from) end
  local fresh = {}
  for i = 1, n do
    local h = string.sub(hashes, i * 8 - 7, i * 8)
    if not known[h] then fresh[#fresh + 1] = i end
    kept[#kept + 1] = h .. expiry6
  end
  local memory = table.concat(kept)
  local cap = maxKeys * ${CLAIM_RECORD_BYTES}
  if cap <= 0 then memory = '' elseif #memory > cap then memory = string.sub(memory, -cap) end
  redis.call('SET', seen, memory, 'PX', tonumber(ttl) + ${CLAIM_KEEP_MS})
  redis.call('SET', seeded, '${CLAIM_LAYOUT}', 'PX', tonumber(ttl) + ${CLAIM_KEEP_MS})
  return wasSeeded, fresh
end
`;

// The /news index write, shared by the claim-commit script and NEWS_ADD_LUA.
// `addNews(seqKey, alertsKey, floorKey, termPrefix, limit, termTtl, args, at, n)` remembers the
// n alerts at args[at…] (each: JSON, then its terms joined by newlines), the last the newest, and
// forgets those beyond the newest `limit` (at most 1,000 per call, so a lowered limit catches up
// over a few calls instead of in one long script). The batch takes its sequence numbers in one
// INCRBY and its alerts in HSETs of up to 200 fields; a term shared by several alerts of the batch
// (the outlet's words, topics, channels) gets their records in one APPEND and one PEXPIRE. Half
// the calls of one call per alert and term; what a page costs is still mostly the postings' own
// work (docs/performance.md, "The claim script's Redis CPU").
const NEWS_ADD_CORE_LUA = `
local function newsEntry(key, i)
  return struct.unpack('<I4', redis.call('GETRANGE', key, i * 4, i * 4 + 3))
end
-- One command over many items, \`width\` (even: pairs stay whole) at a time: unpack has a bound.
local function callInChunks(head, items, width)
  for i = 1, #items, width do
    local args = { unpack(head) }
    for j = i, math.min(i + width - 1, #items) do args[#args + 1] = items[j] end
    redis.call(unpack(args))
  end
end
local function addNews(seqKey, alertsKey, floorKey, termPrefix, limit, termTtl, args, at, n)
  if n == 0 or limit <= 0 then return end
  local last = redis.call('INCRBY', seqKey, n)
  local dead = last - limit
  local fields, records, terms = {}, {}, {}
  for k = 0, n - 1 do
    local seq = last - n + 1 + k
    fields[#fields + 1] = seq
    fields[#fields + 1] = args[at + 2 * k]
    local record = struct.pack('<I4', seq)
    for term in string.gmatch(args[at + 2 * k + 1], '[^\\n]+') do
      local list = records[term]
      if list == nil then
        list = {}
        records[term] = list
        terms[#terms + 1] = term
      end
      list[#list + 1] = record
    end
  end
  callInChunks({ 'HSET', alertsKey }, fields, 200)
  for _, term in ipairs(terms) do
    local list = records[term]
    local key = termPrefix .. term
    local count = redis.call('APPEND', key, table.concat(list)) / 4
    redis.call('PEXPIRE', key, termTtl)
    -- Every 16 postings, drop those of forgotten alerts when at least half of them are.
    local mid = math.floor(count / 2)
    if math.floor(count / 16) > math.floor((count - #list) / 16) and newsEntry(key, mid) <= dead then
      local lo, hi = mid + 1, count - 1
      while lo < hi do
        local m = math.floor((lo + hi) / 2)
        if newsEntry(key, m) > dead then hi = m else lo = m + 1 end
      end
      redis.call('SET', key, redis.call('GETRANGE', key, lo * 4, -1), 'PX', termTtl)
    end
  end
  local floor = tonumber(redis.call('GET', floorKey) or '0')
  local stop = math.min(last - limit, floor + 1000)
  if stop > floor then
    local gone = {}
    for d = floor + 1, stop do gone[#gone + 1] = d end
    callInChunks({ 'HDEL', alertsKey }, gone, 200)
    redis.call('SET', floorKey, stop)
  end
end
`;

// KEYS[1] seq, KEYS[2] alerts hash, KEYS[3] floor; ARGV[1] term key prefix, ARGV[2] limit,
// ARGV[3] term ttl ms, then n × (JSON, terms joined by newlines), the last the newest.
const NEWS_ADD_LUA = `${NEWS_ADD_CORE_LUA}
addNews(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV, 4, (#ARGV - 3) / 2)
return 1
`;

// KEYS[1] claim memory, KEYS[2] seeded marker.
// ARGV[1] now ms, ARGV[2] expiry ms, ARGV[3] ttl ms, ARGV[4] maxKeys, ARGV[5] key hashes.
// Returns { wasSeeded (0|1), 1-based indexes of the fresh hashes... }.
const CLAIM_LUA = `${CLAIM_CORE_LUA}
local wasSeeded, fresh = claimKeys(KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5])
local out = { wasSeeded }
for _, i in ipairs(fresh) do out[#out + 1] = i end
return out
`;

// Story writes, shared by the claim and putStory (callInChunks from NEWS_ADD_CORE_LUA). A story's
// reports live in its own hash, named from the stories hash (the same slot).
const STORY_CORE_LUA = `
local function pruneStories(hashKey, firstKey, expKey, now)
  local dead = redis.call('ZRANGEBYSCORE', expKey, '-inf', now)
  for _, id in ipairs(dead) do
    redis.call('HDEL', hashKey, id)
    redis.call('ZREM', firstKey, id)
    redis.call('DEL', hashKey .. ':r:' .. id)
  end
  redis.call('ZREMRANGEBYSCORE', expKey, '-inf', now)
end
-- One story at args[at…]: id, head JSON ('' keeps the stored head), firstAt, n, then n × (outlet,
-- "seq at"). Returns the index after it.
local function writeStory(hashKey, firstKey, expKey, expiry, ttl, args, at)
  local id, head, n = args[at], args[at + 1], tonumber(args[at + 3])
  if head ~= '' then
    redis.call('HSET', hashKey, id, head)
    redis.call('ZADD', firstKey, args[at + 2], id)
  end
  redis.call('ZADD', expKey, expiry, id)
  at = at + 4
  if n > 0 then
    local key = hashKey .. ':r:' .. id
    local fields = {}
    for i = at, at + 2 * n - 1 do fields[#fields + 1] = args[i] end
    callInChunks({ 'HSET', key }, fields, 200)
    redis.call('PEXPIRE', key, ttl)
  end
  return at + 2 * n
end
`;

// KEYS: 1 claim memory, 2 seeded, 3 state, 4 rules version, 5 outbox, 6 due, 7 stories,
// 8 stories:first, 9 stories:exp, 10 news seq, 11 news alerts, 12 news floor.
// ARGV: 1-5 as CLAIM_LUA; 6 expected fresh indexes, ascending, comma-separated ('' for none);
// 7 the caller's rules version; 8 state JSON; 9 recent limit; 10 story ttl ms; 11 story expiry ms;
// 12 deliveries n, 13 recent n, 14 stories n; 15 news term key prefix; 16 news term ttl ms; then
// n × (alert id, JSON, notBefore), n × (JSON, terms) as NEWS_ADD_LUA, n stories as writeStory takes them.
// Claims, then writes everything only when the fresh set is the expected one (commitMatches).
// Returns { wasSeeded, committed (0|1), rules version, fresh indexes... }.
const CLAIM_COMMIT_LUA = `${CLAIM_CORE_LUA}${NEWS_ADD_CORE_LUA}${STORY_CORE_LUA}
local now = tonumber(ARGV[1])
local wasSeeded, fresh = claimKeys(KEYS[1], KEYS[2], now, ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5])
local version = tonumber(redis.call('GET', KEYS[4]) or '0')
local nd, nr, ns = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
local match
if wasSeeded == 0 then
  match = ARGV[6] == '' and nd + nr + ns == 0
else
  match = table.concat(fresh, ',') == ARGV[6] and (ARGV[6] == '' or tonumber(ARGV[7]) == version)
end
local out = { wasSeeded, 0, version }
for _, i in ipairs(fresh) do out[#out + 1] = i end
if not match then return out end
out[2] = 1
redis.call('SET', KEYS[3], ARGV[8])
local at = 17
local due = {}
for _ = 1, nd do
  redis.call('HSETNX', KEYS[5], ARGV[at], ARGV[at + 1])
  due[#due + 1] = ARGV[at + 2]
  due[#due + 1] = ARGV[at]
  at = at + 3
end
callInChunks({ 'ZADD', KEYS[6], 'NX' }, due, 200)
addNews(KEYS[10], KEYS[11], KEYS[12], ARGV[15], tonumber(ARGV[9]), ARGV[16], ARGV, at, nr)
at = at + 2 * nr
if ns > 0 then
  pruneStories(KEYS[7], KEYS[8], KEYS[9], now)
  for _ = 1, ns do at = writeStory(KEYS[7], KEYS[8], KEYS[9], ARGV[11], ARGV[10], ARGV, at) end
  local ttl = tonumber(ARGV[10])
  for i = 7, 9 do
    if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
return out
`;

// KEYS[1] watch set; ARGV terms. New terms get the next rank, so ZRANGE lists them in the order added.
const WATCH_ADD_LUA = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local rank = 0
if last[2] then rank = tonumber(last[2]) end
local added = {}
for i = 1, #ARGV do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    rank = rank + 1
    redis.call('ZADD', KEYS[1], rank, ARGV[i])
    added[#added + 1] = ARGV[i]
  end
end
return added
`;

// KEYS[1] outbox hash, KEYS[2] due set; ARGV[1] alert id, ARGV[2] JSON, ARGV[3] notBefore ms.
// An entry acknowledged meanwhile stays gone: rescheduling never resurrects it.
const RESCHEDULE_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`;

// KEYS[1] outbox hash, KEYS[2] due set; ARGV[1] now ms, ARGV[2] limit, ARGV[3] lease end ms.
// Takes the due entries (oldest first) and moves their notBefore to the lease end in one step, so
// two workers never take the same entry. Returns { id, JSON, id, JSON … }; an id whose body is
// gone (acked between an enqueue and a crash) is removed instead.
const LEASE_LUA = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local body = redis.call('HGET', KEYS[1], id)
  if body then
    redis.call('ZADD', KEYS[2], 'XX', ARGV[3], id)
    out[#out + 1] = id
    out[#out + 1] = body
  else
    redis.call('ZREM', KEYS[2], id)
  end
end
return out
`;

// KEYS[1] held list, KEYS[2] dropped counter; ARGV[1] cap, ARGV[2..] JSON alerts.
const HOLD_LUA = `
local size = redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
local excess = size - tonumber(ARGV[1])
if excess > 0 then
  redis.call('LTRIM', KEYS[1], excess, -1)
  redis.call('INCRBY', KEYS[2], excess)
end
return size
`;

// KEYS[1] sources hash, KEYS[2] order set; ARGV[1] id, ARGV[2] JSON, ARGV[3] max count.
// Returns 1 added, 0 id taken, -1 full.
const CHAT_SOURCE_ADD_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local rank = 0
if last[2] then rank = tonumber(last[2]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], rank + 1, ARGV[1])
return 1
`;

// KEYS[1] stories hash, KEYS[2] firstAt index, KEYS[3] expiry index.
// ARGV[1] now ms, ARGV[2] expiry ms, ARGV[3] ttl ms, then one story as writeStory takes it.
// Prunes the stories expired at now, writes this one, and keeps the three keys alive at least ttl.
const STORY_PUT_LUA = `${NEWS_ADD_CORE_LUA}${STORY_CORE_LUA}
pruneStories(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
writeStory(KEYS[1], KEYS[2], KEYS[3], ARGV[2], ARGV[3], ARGV, 4)
local ttl = tonumber(ARGV[3])
for i = 1, 3 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
`;

// KEYS[1] stories hash, KEYS[2] firstAt index, KEYS[3] expiry index; ARGV[1] since ms, ARGV[2] now ms.
// Returns, for each live story first seen at or after since, newest first: its head's JSON, then
// its reports as HGETALL gives them.
const STORY_RECENT_LUA = `
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[2], '+inf', ARGV[1])
local now = tonumber(ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  local exp = redis.call('ZSCORE', KEYS[3], id)
  if exp and tonumber(exp) > now then
    local body = redis.call('HGET', KEYS[1], id)
    if body then
      out[#out + 1] = body
      out[#out + 1] = redis.call('HGETALL', KEYS[1] .. ':r:' .. id)
    end
  end
end
return out
`;

// Namespaced so that a client shared with other code does not clash with its own scripts.
const CLAIM_COMMAND = 'wirewatchClaim2';
const CLAIM_COMMIT_COMMAND = 'wirewatchClaimCommit';
const WATCH_ADD_COMMAND = 'wirewatchWatchAdd';
const RESCHEDULE_COMMAND = 'wirewatchReschedule';
const LEASE_COMMAND = 'wirewatchLease';
const HOLD_COMMAND = 'wirewatchHold';
const CHAT_SOURCE_ADD_COMMAND = 'wirewatchChatSourceAdd';
const STORY_PUT_COMMAND = 'wirewatchStoryPut';
const STORY_RECENT_COMMAND = 'wirewatchStoryRecent';
const NEWS_ADD_COMMAND = 'wirewatchNewsAdd';

/** The commands `defineCommand` adds to the client (ioredis cannot type them by itself). */
interface WirewatchScripts {
  [CLAIM_COMMAND](seenKey: string, seededKey: string, ...args: string[]): Promise<number[]>;
  [CLAIM_COMMIT_COMMAND](...keysAndArgs: string[]): Promise<number[]>;
  [WATCH_ADD_COMMAND](watchKey: string, ...terms: string[]): Promise<string[]>;
  [RESCHEDULE_COMMAND](outboxKey: string, dueKey: string, id: string, json: string, notBefore: string): Promise<number>;
  [LEASE_COMMAND](outboxKey: string, dueKey: string, nowMs: string, limit: string, leaseEnd: string): Promise<string[]>;
  [HOLD_COMMAND](heldKey: string, droppedKey: string, cap: string, ...alerts: string[]): Promise<number>;
  [CHAT_SOURCE_ADD_COMMAND](hashKey: string, orderKey: string, id: string, json: string, max: string): Promise<number>;
  [STORY_PUT_COMMAND](hashKey: string, firstKey: string, expKey: string, nowMs: string, expiry: string, ttlMs: string, ...story: string[]): Promise<number>;
  [STORY_RECENT_COMMAND](hashKey: string, firstKey: string, expKey: string, sinceMs: string, nowMs: string): Promise<Array<string | string[]>>;
  [NEWS_ADD_COMMAND](seqKey: string, alertsKey: string, floorKey: string, ...args: string[]): Promise<number>;
}

/**
 * Creates the Redis store on a client built by the caller (only `main.ts` builds clients). `claim`
 * and `leaseDeliveries` are one round trip each (EVALSHA of a script registered with `defineCommand`).
 * `heldCount` counts the alerts held plus those dropped beyond `STORE_DEFAULTS.heldPerChannel`
 * since the last `takeDigest`, so a digest can say how many it lost. `countSent` trims a channel's
 * counter to the window it is asked about: use one window per channel. Redis errors propagate
 * unchanged: the pipeline triages them. `close()` quits the client only when `ownsClient` is true.
 */
export function createRedisStore(redis: RedisClient, options: RedisStoreOptions): Store {
  const { prefix } = options;
  const now = options.now ?? Date.now;
  const recentLimit = options.recentAlerts ?? STORE_DEFAULTS.recentAlerts;
  if (!Number.isInteger(recentLimit) || recentLimit < 0) {
    throw new RangeError(`recentAlerts must be a non-negative integer, got ${recentLimit}`);
  }

  redis.defineCommand(CLAIM_COMMAND, { numberOfKeys: 2, lua: CLAIM_LUA });
  redis.defineCommand(CLAIM_COMMIT_COMMAND, { numberOfKeys: 12, lua: CLAIM_COMMIT_LUA });
  redis.defineCommand(NEWS_ADD_COMMAND, { numberOfKeys: 3, lua: NEWS_ADD_LUA });
  redis.defineCommand(WATCH_ADD_COMMAND, { numberOfKeys: 1, lua: WATCH_ADD_LUA });
  redis.defineCommand(RESCHEDULE_COMMAND, { numberOfKeys: 2, lua: RESCHEDULE_LUA });
  redis.defineCommand(LEASE_COMMAND, { numberOfKeys: 2, lua: LEASE_LUA });
  redis.defineCommand(HOLD_COMMAND, { numberOfKeys: 2, lua: HOLD_LUA });
  redis.defineCommand(CHAT_SOURCE_ADD_COMMAND, { numberOfKeys: 2, lua: CHAT_SOURCE_ADD_LUA });
  redis.defineCommand(STORY_PUT_COMMAND, { numberOfKeys: 3, lua: STORY_PUT_LUA });
  redis.defineCommand(STORY_RECENT_COMMAND, { numberOfKeys: 3, lua: STORY_RECENT_LUA });
  const scripts = redis as unknown as WirewatchScripts;

  const sourceKey = (sourceId: string, suffix: string): string => `${prefix}src:{${sourceId}}:${suffix}`;
  const watchKey = (channel: ChannelKey): string => `${prefix}watch:{${channel}}`;
  const channelsKey = `${prefix}channels`;
  const rulesVersionKey = `${prefix}rules:version`;
  const settingsKey = (channel: ChannelKey): string => `${prefix}chan:{${channel}}:settings`;
  const heldKey = (channel: ChannelKey): string => `${prefix}held:{${channel}}`;
  const droppedKey = (channel: ChannelKey): string => `${prefix}held:{${channel}}:dropped`;
  const sentKey = (channel: ChannelKey): string => `${prefix}sent:{${channel}}`;
  const messageKey = (deliveryKey: string): string => `${prefix}msg:{${deliveryKey}}`;
  const chatSourcesKey = `${prefix}{chatsrc}`;
  const chatOrderKey = `${prefix}{chatsrc}:order`;
  const storiesKey = `${prefix}{stories}`;
  const storyFirstKey = `${prefix}{stories}:first`;
  const storyExpKey = `${prefix}{stories}:exp`;
  const newsSeqKey = `${prefix}{news}:seq`;
  const newsAlertsKey = `${prefix}{news}:alerts`;
  const newsFloorKey = `${prefix}{news}:floor`;
  const newsTermPrefix = `${prefix}{news}:t:`;
  const newsTermTtl = String(NEWS_TERM_TTL_MS);
  // The list of the layout before.
  const oldRecentKey = `${prefix}recent`;
  let oldRecentImported: Promise<void> | undefined;
  const outboxKey = `${prefix}{outbox}`;
  const dueKey = `${prefix}{outbox}:due`;
  let closed = false;

  /** The socket `writeTogether` corked until the end of this turn of the event loop, if any. */
  let corked: { cork(): void; uncork(): void } | undefined;
  /**
   * Lets the claims of one turn of the event loop leave in one socket write: the first corks the
   * client's socket and the check phase of the same turn uncorks it (no timer: nothing waits past
   * the turn). Each claim stays a command of its own, with its own answer and its own script run;
   * only the writes are merged. Polls whose parse ends together claim together (2.4 claims a write
   * in `bench/profile.ts advance`), and each write that wakes a sleeping Redis cost the writer
   * 50–90 µs of CPU on a two-core VM (a PING 8.6 µs while Redis was busy). Not in a cluster,
   * where the claim takes another path.
   */
  const writeTogether = (): void => {
    const stream = (redis as Redis).stream as ({ cork(): void; uncork(): void; destroyed?: boolean } | undefined);
    if (stream === undefined || stream === corked || stream.destroyed === true) return;
    corked = stream;
    stream.cork();
    atCheckPhase(() => {
      if (corked === stream) corked = undefined;
      stream.uncork();
    });
  };

  /** Now, the new expiry as 6 bytes and the ttl, for a claim script. */
  const claimTimes = (claimOptions: ClaimOptions) => {
    const nowMs = Math.floor(now());
    const ttlMs = Math.ceil(claimOptions.ttlMs);
    return { nowMs, expiry: String(Math.max(0, Math.min(nowMs + ttlMs, 2 ** 48 - 1))), ttl: String(ttlMs) };
  };

  /**
   * Moves the recent alerts of the layout before (a list, newest first) into the /news index, once:
   * the list is read and deleted in one transaction, so exactly one instance takes it.
   */
  const importOldRecent = (): Promise<void> =>
    (oldRecentImported ??= (async () => {
      try {
        const [raw] = (await execResults(redis.multi().lrange(oldRecentKey, 0, -1).del(oldRecentKey))) as [string[], number];
        const alerts = raw.reverse().map((json) => JSON.parse(json) as RecentAlert);
        for (let i = 0; i < alerts.length; i += 500) await store.addRecentAlerts(alerts.slice(i, i + 500));
      } catch (error) {
        oldRecentImported = undefined;
        throw error;
      }
    })());

  const store: Store = {
    async claim(sourceId: string, keys: readonly string[], claimOptions: ClaimOptions): Promise<ClaimResult> {
      validateClaim(sourceId, claimOptions);
      const batch = hashBatch(keys);
      const { nowMs, expiry, ttl } = claimTimes(claimOptions);
      const reply = await scripts[CLAIM_COMMAND](
        sourceKey(sourceId, 'seen'),
        sourceKey(sourceId, 'seeded'),
        String(nowMs),
        expiry,
        ttl,
        String(claimOptions.maxKeys),
        batch.hashes,
      );
      const [wasSeeded, ...freshIndexes] = reply;
      return { fresh: batch.keysOf(freshIndexes), firstPoll: Number(wasSeeded) === 0 };
    },

    async claimAndCommit(sourceId: string, given: PollCommit): Promise<PollCommitResult> {
      const commit = packedCommit(given);
      validateClaim(sourceId, commit.options);
      if (commit.stories.length > 0) validateTtl('claimAndCommit', commit.storyTtlMs);
      if (redis.isCluster) {
        // The keys live in several slots: the single members, one after the other (not atomic).
        const result = await store.claim(sourceId, commit.keys, commit.options);
        const version = await store.rulesVersion();
        const committed = commitMatches(result, commit, version);
        if (committed) {
          await store.setFetchState(sourceId, commit.state);
          await store.enqueueDeliveries(commit.deliveries);
          await store.addRecentAlerts(commit.recent);
          for (const story of commit.stories) await store.putStory(story, commit.storyTtlMs);
        }
        return { ...result, committed, rulesVersion: version };
      }
      const batch = hashBatch(commit.keys);
      const { nowMs, expiry, ttl } = claimTimes(commit.options);
      const storyTtl = Math.ceil(commit.storyTtlMs);
      const args: string[] = [
        sourceKey(sourceId, 'seen'),
        sourceKey(sourceId, 'seeded'),
        sourceKey(sourceId, 'state'),
        rulesVersionKey,
        outboxKey,
        dueKey,
        storiesKey,
        storyFirstKey,
        storyExpKey,
        newsSeqKey,
        newsAlertsKey,
        newsFloorKey,
        String(nowMs),
        expiry,
        ttl,
        String(commit.options.maxKeys),
        batch.hashes,
        batch.indexesOf(commit.expected),
        String(commit.rulesVersion),
        JSON.stringify(commit.state),
        String(recentLimit),
        String(storyTtl),
        String(nowMs + storyTtl),
        String(commit.deliveries.length),
        String(commit.recent.length),
        String(commit.stories.length),
        newsTermPrefix,
        newsTermTtl,
      ];
      for (const delivery of commit.deliveries) args.push(delivery.alert.id, JSON.stringify(delivery), String(delivery.notBefore));
      for (const alert of commit.recent) args.push(JSON.stringify(alert), newsTermsArg(alert));
      for (const story of commit.stories) pushStory(args, story);
      writeTogether();
      const [wasSeeded, committed, version, ...freshIndexes] = await scripts[CLAIM_COMMIT_COMMAND](...args);
      return {
        fresh: batch.keysOf(freshIndexes),
        firstPoll: Number(wasSeeded) === 0,
        committed: Number(committed) === 1,
        rulesVersion: Number(version),
      };
    },

    async rulesVersion(): Promise<number> {
      return Number((await redis.get(rulesVersionKey)) ?? 0);
    },

    async getFetchState(sourceId: string): Promise<FetchState> {
      const raw = await redis.get(sourceKey(sourceId, 'state'));
      if (raw === null) return emptyFetchState();
      return { ...emptyFetchState(), ...(JSON.parse(raw) as Partial<FetchState>) };
    },

    async setFetchState(sourceId: string, state: FetchState): Promise<void> {
      await redis.set(sourceKey(sourceId, 'state'), JSON.stringify(state));
    },

    async setFetchStates(states: ReadonlyArray<readonly [string, FetchState]>): Promise<void> {
      if (states.length === 0) return;
      if (redis.isCluster) {
        await Promise.all(states.map(([sourceId, state]) => redis.set(sourceKey(sourceId, 'state'), JSON.stringify(state))));
        return;
      }
      await redis.mset(states.flatMap(([sourceId, state]) => [sourceKey(sourceId, 'state'), JSON.stringify(state)]));
    },

    async getWatchTerms(channel: ChannelKey): Promise<string[]> {
      return redis.zrange(watchKey(channel), 0, '-1');
    },

    async addWatchTerms(channel: ChannelKey, terms: readonly string[]): Promise<string[]> {
      if (terms.length === 0) return [];
      // Known first (another slot, so a separate command): a crash in between leaves a channel
      // known without terms, never terms on a channel nobody delivers to.
      await redis.sadd(channelsKey, channel);
      const added = await scripts[WATCH_ADD_COMMAND](watchKey(channel), ...terms);
      // After the write: a reader that saw the old version reloads once more, never misses the change.
      await redis.incr(rulesVersionKey);
      return added;
    },

    async removeWatchTerm(channel: ChannelKey, term: string): Promise<boolean> {
      const removed = (await redis.zrem(watchKey(channel), term)) > 0;
      await redis.incr(rulesVersionKey);
      return removed;
    },

    async clearWatchTerms(channel: ChannelKey): Promise<number> {
      const [count] = await execResults(redis.multi().zcard(watchKey(channel)).del(watchKey(channel)));
      await redis.incr(rulesVersionKey);
      return Number(count);
    },

    async knownChannels(): Promise<ChannelKey[]> {
      return (await redis.smembers(channelsKey)).sort(compareText);
    },

    async getChannelSettings(channel: ChannelKey): Promise<ChannelSettings> {
      const raw = await redis.get(settingsKey(channel));
      if (raw === null) return defaultChannelSettings();
      return { ...defaultChannelSettings(), ...(JSON.parse(raw) as Partial<ChannelSettings>) };
    },

    async setChannelSettings(channel: ChannelKey, settings: ChannelSettings): Promise<void> {
      await redis.sadd(channelsKey, channel);
      await redis.set(settingsKey(channel), JSON.stringify(settings));
      await redis.incr(rulesVersionKey);
    },

    async addChatSource(source: ChatSource): Promise<boolean> {
      const added = await scripts[CHAT_SOURCE_ADD_COMMAND](
        chatSourcesKey,
        chatOrderKey,
        source.id,
        JSON.stringify(source),
        String(CHAT_SOURCES_MAX),
      );
      if (Number(added) < 0) {
        throw chatSourcesFull();
      }
      return Number(added) === 1;
    },

    async removeChatSource(id: string): Promise<boolean> {
      const [removed] = await execResults(redis.multi().hdel(chatSourcesKey, id).zrem(chatOrderKey, id));
      return Number(removed) > 0;
    },

    async listChatSources(): Promise<ChatSource[]> {
      const ids = await redis.zrange(chatOrderKey, 0, '-1');
      if (ids.length === 0) return [];
      const raw = await redis.hmget(chatSourcesKey, ...ids);
      // A source removed between the two reads comes back null: it is gone.
      return raw.filter((json): json is string => json !== null).map((json) => JSON.parse(json) as ChatSource);
    },

    async holdForDigest(channel: ChannelKey, alerts: readonly Alert[]): Promise<void> {
      if (alerts.length === 0) return;
      validateChannel('holdForDigest', channel);
      await scripts[HOLD_COMMAND](
        heldKey(channel),
        droppedKey(channel),
        String(STORE_DEFAULTS.heldPerChannel),
        ...alerts.map((alert) => JSON.stringify(alert)),
      );
    },

    async takeDigest(channel: ChannelKey): Promise<Alert[]> {
      validateChannel('takeDigest', channel);
      const [raw] = await execResults(redis.multi().lrange(heldKey(channel), 0, -1).del(heldKey(channel), droppedKey(channel)));
      return (raw as string[]).map(parseAlert);
    },

    async heldCount(channel: ChannelKey): Promise<number> {
      validateChannel('heldCount', channel);
      const [length, dropped] = await execResults(redis.multi().llen(heldKey(channel)).get(droppedKey(channel)));
      return Number(length) + Number(dropped ?? 0);
    },

    async countSent(channel: ChannelKey, nowMs: number, windowMs: number, record: boolean): Promise<number> {
      if (!Number.isFinite(windowMs) || windowMs <= 0) {
        throw new RangeError(`countSent: windowMs must be a positive number of ms, got ${windowMs}`);
      }
      const key = sentKey(channel);
      const tx = redis.multi().zremrangebyscore(key, '-inf', String(nowMs - windowMs));
      if (record) {
        tx.zadd(key, nowMs, `${nowMs}:${randomUUID()}`)
          .zremrangebyrank(key, 0, -(SENT_MAX + 1))
          .pexpire(key, Math.ceil(windowMs));
      }
      tx.zcount(key, `(${nowMs - windowMs}`, String(nowMs));
      const results = await execResults(tx);
      return Number(results.at(-1));
    },

    async recordMessage(deliveryKey: string, ref: string, ttlMs: number): Promise<void> {
      validateTtl('recordMessage', ttlMs);
      const value: StoredMessage = { ref, exp: now() + ttlMs };
      await redis.set(messageKey(deliveryKey), JSON.stringify(value), 'PX', Math.ceil(ttlMs));
    },

    async getMessage(deliveryKey: string): Promise<string | undefined> {
      const raw = await redis.get(messageKey(deliveryKey));
      if (raw === null) return undefined;
      const stored = JSON.parse(raw) as StoredMessage;
      return stored.exp > now() ? stored.ref : undefined;
    },

    async recentStories(sinceMs: number): Promise<StoryRecord[]> {
      const raw = await scripts[STORY_RECENT_COMMAND](
        storiesKey,
        storyFirstKey,
        storyExpKey,
        scoreBound(sinceMs),
        String(now()),
      );
      const out: StoryRecord[] = [];
      for (let i = 0; i + 1 < raw.length; i += 2) out.push(storyOf(raw[i] as string, raw[i + 1] as string[]));
      return out;
    },

    async putStory(story: StoryWrite, ttlMs: number): Promise<void> {
      validateTtl('putStory', ttlMs);
      const nowMs = now();
      const args: string[] = [];
      pushStory(args, story);
      await scripts[STORY_PUT_COMMAND](storiesKey, storyFirstKey, storyExpKey, String(nowMs), String(nowMs + ttlMs), String(Math.ceil(ttlMs)), ...args);
    },

    async addRecentAlerts(alerts: readonly RecentAlert[]): Promise<void> {
      if (alerts.length === 0 || recentLimit === 0) return;
      await scripts[NEWS_ADD_COMMAND](
        newsSeqKey,
        newsAlertsKey,
        newsFloorKey,
        newsTermPrefix,
        String(recentLimit),
        newsTermTtl,
        ...alerts.flatMap((alert) => [JSON.stringify(alert), newsTermsArg(alert)]),
      );
    },

    async recentAlerts(limit: number): Promise<RecentAlert[]> {
      return store.searchRecentAlerts([], limit);
    },

    async searchRecentAlerts(terms: readonly string[], limit: number): Promise<RecentAlert[]> {
      if (limit <= 0 || recentLimit === 0) return [];
      await importOldRecent();
      const distinct = [...new Set(terms)];
      const [seqRaw, floorRaw, ...lists] = await redis.mgetBuffer(newsSeqKey, newsFloorKey, ...distinct.map((term) => newsTermPrefix + term));
      const last = Number(seqRaw?.toString() ?? 0);
      const floor = Math.max(Number(floorRaw?.toString() ?? 0), last - recentLimit);
      let seqs: number[];
      if (distinct.length === 0) {
        seqs = [];
        for (let seq = last; seq > floor && seqs.length < limit; seq--) seqs.push(seq);
      } else {
        seqs = intersectNewest(lists.map(postingsOf), floor, limit);
      }
      if (seqs.length === 0) return [];
      const raw = await redis.hmget(newsAlertsKey, ...seqs.map(String));
      // An alert forgotten between the two reads comes back null.
      return raw.flatMap((json) => (json === null ? [] : [JSON.parse(json) as RecentAlert]));
    },

    async enqueueDeliveries(deliveries: readonly PendingDelivery[]): Promise<void> {
      if (deliveries.length === 0) return;
      const tx = redis.multi();
      for (const delivery of deliveries) {
        tx.hsetnx(outboxKey, delivery.alert.id, JSON.stringify(delivery));
        tx.zadd(dueKey, 'NX', delivery.notBefore, delivery.alert.id);
      }
      await exec(tx);
    },

    async dueDeliveries(nowMs: number, limit: number): Promise<PendingDelivery[]> {
      if (limit <= 0) return [];
      const withScores = await redis.zrangebyscore(dueKey, '-inf', String(nowMs), 'WITHSCORES', 'LIMIT', 0, limit);
      if (withScores.length === 0) return [];
      const ids = withScores.filter((_, i) => i % 2 === 0);
      const raw = await redis.hmget(outboxKey, ...ids);
      const out: PendingDelivery[] = [];
      raw.forEach((json, i) => {
        // An entry acknowledged between the two reads comes back null: it is no longer due.
        if (json === null) return;
        // The due set holds the true notBefore (a lease moves only the score).
        out.push(parseDelivery(json, Number(withScores[2 * i + 1])));
      });
      return out;
    },

    async leaseDeliveries(nowMs: number, limit: number, leaseMs: number): Promise<PendingDelivery[]> {
      if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
        throw new RangeError(`leaseDeliveries: leaseMs must be a positive number of ms, got ${leaseMs}`);
      }
      if (limit <= 0) return [];
      const leaseEnd = nowMs + leaseMs;
      const reply = await scripts[LEASE_COMMAND](outboxKey, dueKey, String(nowMs), String(Math.floor(limit)), String(leaseEnd));
      const out: PendingDelivery[] = [];
      for (let i = 1; i < reply.length; i += 2) {
        const json = reply[i];
        if (json !== undefined) out.push(parseDelivery(json, leaseEnd));
      }
      return out;
    },

    async outboxSize(): Promise<number> {
      return redis.hlen(outboxKey);
    },

    async rescheduleDelivery(delivery: PendingDelivery): Promise<void> {
      await scripts[RESCHEDULE_COMMAND](
        outboxKey,
        dueKey,
        delivery.alert.id,
        JSON.stringify(delivery),
        String(delivery.notBefore),
      );
    },

    async ackDelivery(alertId: string): Promise<void> {
      await exec(redis.multi().hdel(outboxKey, alertId).zrem(dueKey, alertId));
    },

    async ping(): Promise<void> {
      await redis.ping();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (options.ownsClient === true) await redis.quit();
    },
  };
  return store;
}

/** A story write as the story scripts take it (`writeStory` in STORY_CORE_LUA). */
function pushStory(args: string[], story: StoryWrite): void {
  args.push(story.id, story.signature === undefined ? '' : storyJson(story), String(story.firstAt), String(story.reports.length));
  for (const r of story.reports) args.push(r.outlet, `${r.seq} ${r.at}`);
}

/** A story read back: its head, and its reports from their hash (field, value, field, value…) in `seq` order. */
function storyOf(headJson: string, fields: readonly string[]): StoryRecord {
  // Records written whole before reports were kept apart carry a list of their own: their head holds every report.
  const { id, signature, firstAt } = JSON.parse(headJson) as StoryRecord;
  const reports: StoryReport[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] as string;
    const space = value.indexOf(' ');
    reports.push({ outlet: fields[i] as string, seq: Number(value.slice(0, space)), at: Number(value.slice(space + 1)) });
  }
  return { id, signature, firstAt, reports: reports.sort((a, b) => a.seq - b.seq) };
}

/** The commit with its lists copied into arrays of one kind (src/packed.ts). */
function packedCommit(commit: PollCommit): PollCommit {
  return {
    keys: packed(commit.keys),
    options: commit.options,
    expected: packed(commit.expected),
    rulesVersion: commit.rulesVersion,
    state: commit.state,
    deliveries: packed(commit.deliveries),
    recent: packed(commit.recent),
    stories: packed(commit.stories),
    storyTtlMs: commit.storyTtlMs,
  };
}

/** An alert's /news terms as the news scripts take them: joined by newlines (no term holds one). */
function newsTermsArg(alert: RecentAlert): string {
  return newsTerms(alert)
    .filter((term) => !term.includes('\n'))
    .join('\n');
}

/** A term's postings (4-byte little-endian sequence numbers), or none. */
function postingsOf(raw: Buffer | null): Uint32Array {
  if (raw === null) return new Uint32Array(0);
  const out = new Uint32Array(raw.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = raw.readUInt32LE(i * 4);
  return out;
}

/**
 * The first 8 bytes of sha1(text), each cut to its low 7 bits, as a string of 8 chars below 128
 * (src/hash.ts's `binary` is one char a byte). A string, not a Buffer: no allocation per key beyond
 * it, it is already the Map key that finds equal hashes, and it goes to Redis as the same bytes.
 */
function sha1Prefix(text: string): string {
  const d = digest('sha1', text, 'binary');
  return String.fromCharCode(
    d.charCodeAt(0) & 127,
    d.charCodeAt(1) & 127,
    d.charCodeAt(2) & 127,
    d.charCodeAt(3) & 127,
    d.charCodeAt(4) & 127,
    d.charCodeAt(5) & 127,
    d.charCodeAt(6) & 127,
    d.charCodeAt(7) & 127,
  );
}

/**
 * The distinct keys of a claim hashed for the claim memory (`sha1Prefix`, the same as
 * `redis.sha1hex` cut to 7 bits in the script converting the old layout). Two keys of one batch
 * with the same hash share one record and one answer (a 1-in-10^10 chance for a feed of 2,000 items).
 */
function hashBatch(keys: readonly string[]) {
  const indexByHash = new Map<string, number>();
  const keysByIndex: string[][] = [];
  const indexByKey = new Map<string, number>();
  let hashes = '';
  let count = 0;
  for (const key of keys) {
    if (indexByKey.has(key)) continue;
    const id = sha1Prefix(key);
    let index = indexByHash.get(id);
    if (index === undefined) {
      hashes += id;
      count += 1;
      index = count;
      indexByHash.set(id, index);
      keysByIndex[index] = [];
    }
    keysByIndex[index]?.push(key);
    indexByKey.set(key, index);
  }
  return {
    hashes,
    /** The keys of the fresh indexes a script answered, in input order. */
    keysOf(indexes: readonly number[]): string[] {
      return indexes.flatMap((index) => keysByIndex[Number(index)] ?? []);
    },
    /** Ascending comma-separated indexes of `expected`; '-' (never a script's answer) when one is not in the batch. */
    indexesOf(expected: readonly string[]): string {
      const indexes = new Set<number>();
      for (const key of expected) {
        const index = indexByKey.get(key);
        if (index === undefined) return '-';
        indexes.add(index);
      }
      return [...indexes].sort((a, b) => a - b).join(',');
    },
  };
}

/** Runs a MULTI and rethrows the first error of its queued commands (ioredis reports them per command). */
async function exec(tx: { exec(): Promise<[error: Error | null, result: unknown][] | null> }): Promise<void> {
  const results = await tx.exec();
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [error] of results) {
    if (error) throw error;
  }
}

/** Runs a MULTI and answers the results of its queued commands, rethrowing the first error. */
async function execResults(tx: { exec(): Promise<[error: Error | null, result: unknown][] | null> }): Promise<unknown[]> {
  const results = await tx.exec();
  if (results === null) throw new Error('Redis transaction was aborted');
  return results.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

/** An alert read back from JSON, with the keys JSON drops when undefined (`url`, `published`) restored. */
function parseAlert(json: string): Alert {
  return { url: undefined, published: undefined, ...(JSON.parse(json) as Partial<Alert>) } as Alert;
}

/** A delivery read back from JSON (see `parseAlert`), with the notBefore the due set holds. */
function parseDelivery(json: string, notBefore: number): PendingDelivery {
  const delivery = JSON.parse(json) as Omit<PendingDelivery, 'alert'> & { alert: Partial<Alert> };
  return { ...delivery, alert: { url: undefined, published: undefined, ...delivery.alert } as Alert, notBefore };
}

/** A message record as stored: the platform ref and its expiry, epoch ms on the store's clock. */
interface StoredMessage {
  ref: string;
  exp: number;
}

/** A score bound Redis accepts (`-inf`/`+inf` for infinities). */
function scoreBound(value: number): string {
  if (value === Number.NEGATIVE_INFINITY || Number.isNaN(value)) return '-inf';
  if (value === Number.POSITIVE_INFINITY) return '+inf';
  return String(value);
}

function validateTtl(what: string, ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`${what}: ttlMs must be a positive number of ms, got ${ttlMs}`);
}

function validateChannel(what: string, channel: ChannelKey): void {
  // An empty key would make the hash tag `{}`, which Redis Cluster ignores: the keys would split slots.
  if (channel === '') throw new RangeError(`${what}: channel must not be empty`);
}

function validateClaim(sourceId: string, options: ClaimOptions): void {
  // An empty id would make the hash tag `{}`, which Redis Cluster ignores: the keys would split slots.
  if (sourceId === '') throw new RangeError('claim: sourceId must not be empty');
  if (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0) {
    throw new RangeError(`claim: ttlMs must be a positive number of ms, got ${options.ttlMs}`);
  }
  if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) {
    throw new RangeError(`claim: maxKeys must be a positive integer, got ${options.maxKeys}`);
  }
}
