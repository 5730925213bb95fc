-- wrk script: announces from many distinct peers spread over many torrents.
-- Environment: TORRENTS (1000; info-hashes 1..TORRENTS as 40 hex digits, the
-- list tracker_bench.sh allows), PEERS (distinct peers in all; each thread
-- cycles through its share), NUMWANT (50), DELAY_MS (0: none; otherwise each
-- connection waits this long before each request, to pace the load).
local torrents = tonumber(os.getenv("TORRENTS") or "1000")
local peers = tonumber(os.getenv("PEERS") or "1000000")
local numwant = os.getenv("NUMWANT") or "50"
local threads = 0
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
if delay_ms > 0 then
  function delay() return delay_ms end
end

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local share, counter, base

function init(args)
  local count = tonumber(os.getenv("WRK_THREADS") or "2")
  share = math.floor(peers / count)
  base = id * share
  counter = 0
end

local function url_hash(n)
  return (string.format("%040x", n):gsub("..", "%%%0"))
end

function request()
  local peer = base + counter % share
  counter = counter + 1
  local path = "/announce?info_hash=" .. url_hash(peer % torrents + 1) ..
    "&peer_id=-WK0001-" .. string.format("%012d", peer) ..
    "&port=" .. (1024 + math.floor(peer / torrents) % 60000) ..
    "&uploaded=0&downloaded=0&left=1000&compact=1&numwant=" .. numwant
  return wrk.format(nil, path)
end
