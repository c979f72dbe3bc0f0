-- Argo CD action "pause" on serving.tern.dev/ModelRelease: what `tern pause` does.
-- It writes the command annotation and a fresh nonce; tern-operator acts on each nonce once
-- (status.lastCommandNonce), so the annotation never needs clearing.
local command = "pause"
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["serving.tern.dev/command"] = command
obj.metadata.annotations["serving.tern.dev/command-nonce"] =
  "argocd-" .. command .. "-" .. os.date("!%Y%m%dT%H%M%SZ") .. "-" .. tostring(obj.metadata.resourceVersion or "0")
return obj
