-- Argo CD health check for serving.tern.dev/ModelRelease (tern-operator).
--   Progressing  the operator has not yet observed the latest spec (status.observedGeneration < metadata.generation),
--                or a release is in flight: Pending, Staging, Canary, Promoting
--   Suspended    Paused: waiting for a person (tern promote / resume / abort)
--   Healthy      Healthy: spec.model is the stable model and serves 100 % of traffic
--   Degraded     RolledBack or Failed: the reason is in the Degraded condition
-- Argo CD runs this with Lua 5.1 (gopher-lua); `obj` is the live object.
local hs = {}

local function condition(conditionType)
  if obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function version(ref)
  if ref ~= nil and ref.version ~= nil then
    return ref.version
  end
  return "?"
end

if obj.status == nil or obj.status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for tern-operator to pick up the release"
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for tern-operator to observe generation " .. tostring(generation) ..
    " (observed " .. tostring(observed or 0) .. ")"
  return hs
end

local phase = obj.status.phase
local weight = obj.status.canaryWeight or 0
local step = ""
if obj.status.currentStep ~= nil then
  step = ", step " .. tostring(obj.status.currentStep + 1)
end

if phase == "Healthy" then
  hs.status = "Healthy"
  hs.message = version(obj.status.stable) .. " serves 100% of traffic"
elseif phase == "Paused" then
  hs.status = "Suspended"
  hs.message = "Paused: " .. version(obj.status.candidate) .. " at " .. tostring(weight) .. "%" .. step
  if obj.status.message ~= nil then
    hs.message = hs.message .. ". " .. obj.status.message
  end
elseif phase == "RolledBack" or phase == "Failed" then
  hs.status = "Degraded"
  local degraded = condition("Degraded")
  if degraded ~= nil and degraded.message ~= nil and degraded.message ~= "" then
    hs.message = phase .. ": " .. degraded.message
  elseif obj.status.message ~= nil then
    hs.message = phase .. ": " .. obj.status.message
  else
    hs.message = phase
  end
elseif phase == "Canary" then
  hs.status = "Progressing"
  hs.message = "Canary: " .. version(obj.status.candidate) .. " at " .. tostring(weight) .. "%" .. step
elseif phase == "Pending" or phase == "Staging" or phase == "Promoting" then
  hs.status = "Progressing"
  hs.message = phase
  if obj.status.candidate ~= nil then
    hs.message = phase .. ": " .. version(obj.status.candidate)
  end
  if obj.status.message ~= nil then
    hs.message = hs.message .. ". " .. obj.status.message
  end
else
  hs.status = "Unknown"
  hs.message = "Unknown phase " .. tostring(phase)
end
return hs
