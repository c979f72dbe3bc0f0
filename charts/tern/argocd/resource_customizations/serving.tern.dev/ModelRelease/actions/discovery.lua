-- Argo CD actions for serving.tern.dev/ModelRelease: the `tern` CLI's release controls.
-- Each is enabled only in the phases where tern-operator would act on it (operator/planner/commands.ts).
local actions = {}
local phase = "Pending"
if obj.status ~= nil and obj.status.phase ~= nil then
  phase = obj.status.phase
end
local inCanary = phase == "Canary" or phase == "Paused"
local inFlight = inCanary or phase == "Staging" or phase == "Promoting"
local hasStable = obj.status ~= nil and obj.status.stable ~= nil

actions["promote"] = { ["disabled"] = not inCanary, ["iconClass"] = "fa fa-fw fa-forward", ["displayName"] = "Promote (next step)" }
actions["promote-full"] = {
  ["disabled"] = not (inCanary or (phase == "Staging" and hasStable)),
  ["iconClass"] = "fa fa-fw fa-fast-forward",
  ["displayName"] = "Promote fully (skip all steps)"
}
actions["abort"] = { ["disabled"] = not inFlight, ["iconClass"] = "fa fa-fw fa-undo", ["displayName"] = "Abort (roll back)" }
actions["retry"] = { ["disabled"] = not (phase == "RolledBack" or phase == "Failed"), ["iconClass"] = "fa fa-fw fa-redo-alt", ["displayName"] = "Retry" }
actions["pause"] = { ["disabled"] = phase ~= "Canary", ["iconClass"] = "fa fa-fw fa-pause-circle", ["displayName"] = "Pause" }
actions["resume"] = { ["disabled"] = phase ~= "Paused", ["iconClass"] = "fa fa-fw fa-play-circle", ["displayName"] = "Resume" }
return actions
