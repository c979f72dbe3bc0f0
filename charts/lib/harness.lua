-- Test harness (Lua 5.1): `lua5.1 harness.lua SCRIPT < object.lua` runs SCRIPT as Argo CD would, with the
-- object (a Lua chunk that returns a table, on stdin) as the global `obj`, and prints the result as JSON.
local script = arg[1]
local objChunk = assert(loadstring(io.read("*a"), "object"))
local object = objChunk()

-- Argo CD opens base, table, string, math and a "safe" os with date, time and clock only.
local env = {
  obj = object,
  os = { date = os.date, time = os.time, clock = os.clock },
}
setmetatable(env, { __index = function(_, name)
  if name == "io" or name == "require" or name == "dofile" or name == "loadfile" or name == "debug" or name == "package" then
    return nil
  end
  return _G[name]
end })
local fn = assert(loadfile(script))
setfenv(fn, env)
local result = fn()

local function isArray(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  if n == 0 then return false end
  for i = 1, n do
    if t[i] == nil then return false end
  end
  return true
end

local encode
local function encodeString(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local map = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
    return map[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end
encode = function(v)
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
    return string.format("%.17g", v)
  end
  if t == "string" then return encodeString(v) end
  if t == "table" then
    local parts = {}
    if isArray(v) then
      for _, item in ipairs(v) do parts[#parts + 1] = encode(item) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local item = v[k]
      if item == nil then item = v[tonumber(k)] end
      parts[#parts + 1] = encodeString(k) .. ":" .. encode(item)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  error("cannot encode a " .. t)
end
io.write(encode(result))
