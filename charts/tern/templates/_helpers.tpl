{{/* Names, labels and small decisions shared by the templates of the tern chart. */}}

{{- define "tern.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: "<release>-tern", or the release name when it already contains "tern". */}}
{{- define "tern.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tern.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "tern.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tern
{{- end -}}

{{- define "tern.selectorLabels" -}}
app.kubernetes.io/name: tern-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tern.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tern.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tern.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.leaseNamespace -}}
{{- end -}}

{{- define "tern.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
Whether a Prometheus Operator object is rendered: "true" or "".
Call with (dict "value" .Values.monitoring.podMonitor.enabled "root" $).
*/}}
{{- define "tern.monitoringEnabled" -}}
{{- $value := .value -}}
{{- if kindIs "bool" $value -}}
{{- if $value -}}true{{- end -}}
{{- else if and (eq (toString $value) "auto") (.root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") -}}
true
{{- end -}}
{{- end -}}

{{/*
The operator's permissions on what it reconciles, shared by the ClusterRole (all namespaces) and the
per-namespace Roles (watchNamespaces). Nothing here reads Secrets or ConfigMaps.
*/}}
{{- define "tern.operatorRules" -}}
# ModelReleases: watched, patched (finalizers) and their status written through the subresource.
- apiGroups: [serving.tern.dev]
  resources: [modelreleases]
  verbs: [get, list, watch, update, patch]
- apiGroups: [serving.tern.dev]
  resources: [modelreleases/status]
  verbs: [get, update, patch]
# ownerReferences with blockOwnerDeletion need update on the owner's finalizers subresource.
- apiGroups: [serving.tern.dev]
  resources: [modelreleases/finalizers]
  verbs: [update]
# The objects it owns per release: inference Deployments, Services, Gateway API HTTPRoutes.
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [services]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [get, list, watch, create, update, patch, delete]
# Read-only: the "pods" analysis provider scrapes the candidate's pods; readiness from EndpointSlices.
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
# Events on ModelReleases (Promoted, RolledBack, ...).
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
