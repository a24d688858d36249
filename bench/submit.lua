-- wrk script: each request sends a new, valid response with a fresh random id.
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.path = "/api/v1/collect/" .. token .. "/responses"
wrk.headers["Content-Type"] = "application/json"

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

local function uuid4()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

local choices = { "very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "dont_know" }

function request()
  local body = string.format(
    '{"id":"%s","version":1,"language":"sv","answers":{"safety_now":"%s","safety_evening":"%s","safer_by":["lighting","cleaning"],"comment":"Mörkt vid bryggan, ring 070-123 45 67"}}',
    uuid4(), choices[math.random(1, 5)], choices[math.random(1, 5)])
  return wrk.format(nil, nil, nil, body)
end
