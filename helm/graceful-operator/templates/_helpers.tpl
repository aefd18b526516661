{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "graceful-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: fullnameOverride, else "<release>-<chart>" (just "<release>" when the
release name already contains the chart name), truncated to 63 characters.
*/}}
{{- define "graceful-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "name-version" for the helm.sh/chart label. */}}
{{- define "graceful-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the operator pods; never change them in an upgrade (Deployment selectors are immutable). */}}
{{- define "graceful-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "graceful-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "graceful-operator.labels" -}}
helm.sh/chart: {{ include "graceful-operator.chart" . }}
{{ include "graceful-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: graceful-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* metadata.annotations of every object, when commonAnnotations is set. Pass (dict "ctx" $ "extra" $map). */}}
{{- define "graceful-operator.annotations" -}}
{{- $all := merge (deepCopy (default dict .extra)) (deepCopy (default dict .ctx.Values.commonAnnotations)) }}
{{- with $all -}}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* ServiceAccount name. */}}
{{- define "graceful-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "graceful-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Leader-election Lease name. */}}
{{- define "graceful-operator.leaseName" -}}
{{- default (include "graceful-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
Image repository with its registry: global.imageRegistry, else image.registry, replaces the registry host that
image.repository starts with (a first path component with a "." or ":", or "localhost", as Docker reads
references) or is put in front of it; with neither set, image.repository is the full name.
*/}}
{{- define "graceful-operator.imageRepository" -}}
{{- $repo := .Values.image.repository }}
{{- $registry := default .Values.image.registry (.Values.global | default dict).imageRegistry }}
{{- if $registry }}
{{- $parts := splitList "/" $repo }}
{{- $first := first $parts }}
{{- if and (gt (len $parts) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) }}
{{- $repo = join "/" (rest $parts) }}
{{- end }}
{{- $repo = printf "%s/%s" $registry $repo }}
{{- end }}
{{- $repo }}
{{- end }}

{{/* Image reference: repository:tag, or repository:tag@digest when a digest is set. */}}
{{- define "graceful-operator.image" -}}
{{- $repo := include "graceful-operator.imageRepository" . }}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" $repo $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}
{{- end }}

{{/*
Whether the operator's own preStop hook uses the native sleep action (beta and on by default from
Kubernetes 1.30). Auto decides from the cluster version Helm sees (`helm template` uses --kube-version).
*/}}
{{- define "graceful-operator.nativeSleep" -}}
{{- if eq .Values.preStop.action "Sleep" }}true
{{- else if eq .Values.preStop.action "Exec" }}false
{{- else if semverCompare ">=1.30.0-0" .Capabilities.KubeVersion.Version }}true
{{- else }}false
{{- end }}
{{- end }}

{{/*
Whether the operator may read Nodes (their kubelet versions decide action Auto): rbac.readNodes true or false,
or auto: only when it watches all namespaces (a namespaced install gets no cluster-scoped grant unless asked).
Renders "true" or nothing.
*/}}
{{- define "graceful-operator.readNodes" -}}
{{- if kindIs "bool" .Values.rbac.readNodes }}
{{- if .Values.rbac.readNodes }}true{{ end }}
{{- else if empty .Values.watchNamespaces }}true
{{- end }}
{{- end }}

{{/*
Whether the admission webhook is on: admission.enabled in a cluster-wide install; always off in a namespaced install
(watchNamespaces), whose objects and rights stay in namespaces while the webhook's MutatingWebhookConfiguration is
cluster-scoped and sits in every write's path. Renders "true" or nothing.
*/}}
{{- define "graceful-operator.admission" -}}
{{- if and .Values.admission.enabled (empty .Values.watchNamespaces) }}true{{ end }}
{{- end }}

{{/*
The MutatingWebhookConfiguration's name: <fullname>.<namespace> (cluster-scoped, so two releases of the same name in
two namespaces do not collide); no trailing dot when the namespace is empty (helm lint).
*/}}
{{- define "graceful-operator.webhookName" -}}
{{- printf "%s.%s" (include "graceful-operator.fullname" .) .Release.Namespace | trimSuffix "." }}
{{- end }}

{{/*
Whether the operator may govern Argo Rollouts: rbac.argoRollouts true or false, or auto: when the API server
serves argoproj.io/v1alpha1 Rollout at install or upgrade time (Helm's capabilities; `helm template` without a
cluster has none, so auto grants nothing there). Renders "true" or nothing.
*/}}
{{- define "graceful-operator.argoRollouts" -}}
{{- if kindIs "bool" .Values.rbac.argoRollouts }}
{{- if .Values.rbac.argoRollouts }}true{{ end }}
{{- else if .Capabilities.APIVersions.Has "argoproj.io/v1alpha1/Rollout" }}true
{{- end }}
{{- end }}

{{/*
"true" when a value is given: neither absent/null (Helm drops keys set to null) nor the empty string.
*/}}
{{- define "graceful-operator.isSet" -}}
{{- if and (not (kindIs "invalid" .)) (ne (toString .) "") }}true{{ end }}
{{- end }}

{{/* Cross-field checks that values.schema.json cannot express. */}}
{{- define "graceful-operator.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicas is %d but leaderElection.enabled is false: several operator pods without leader election would all write to the same Deployments. Set leaderElection.enabled=true or replicas=1." (int .Values.replicas)) }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.service.enabled) }}
{{- fail "metrics.serviceMonitor.enabled requires metrics.service.enabled=true (the ServiceMonitor scrapes that Service)." }}
{{- end }}
{{- with .Values.podDisruptionBudget }}
{{- $min := include "graceful-operator.isSet" .minAvailable }}
{{- $max := include "graceful-operator.isSet" .maxUnavailable }}
{{- if and .enabled $min $max }}
{{- fail (printf "podDisruptionBudget: minAvailable (%v) and maxUnavailable (%v) are mutually exclusive; to use maxUnavailable set minAvailable to null (--set podDisruptionBudget.minAvailable=null, or minAvailable: null in a values file)." .minAvailable .maxUnavailable) }}
{{- end }}
{{- if and .enabled (not $min) (not $max) }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable (or podDisruptionBudget.enabled=false)." }}
{{- end }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if has .name (list "POD_NAME" "POD_NAMESPACE" "JAVA_TOOL_OPTIONS") }}
{{- fail (printf "extraEnv: %s is set by the chart (JVM options go in javaOptions)." .name) }}
{{- end }}
{{- end }}
{{- range .Values.extraVolumes }}
{{- if eq .name "tmp" }}
{{- fail "extraVolumes: the volume name tmp is the chart's /tmp emptyDir; choose another name." }}
{{- end }}
{{- end }}
{{- if .Values.watchNamespaces }}
{{- range .Values.extraObjects }}
{{- if and (kindIs "map" .) (eq (toString .kind) "ClusterGracefulPolicy") }}
{{- fail (printf "extraObjects: ClusterGracefulPolicy %v would be ignored: a namespaced install (watchNamespaces set) does not serve cluster policies; install with watchNamespaces empty, or use a GracefulPolicy per watched namespace." (default "" (.metadata).name)) }}
{{- end }}
{{- end }}
{{- end }}
{{- range .Values.extraVolumeMounts }}
{{- if eq (clean .mountPath) "/tmp" }}
{{- fail "extraVolumeMounts: /tmp is the chart's emptyDir (the JVM's tmpdir); mount elsewhere." }}
{{- end }}
{{- end }}
{{- end }}

{{/*
What the operator does to the workloads it governs, and nothing more (checked by chart-tests against an
allow-list of the requests the operator sends):
- Deployments, StatefulSets, DaemonSets: read and watch, and JSON Patch the pod template's preStop hooks and grace
  period. No update, no create/delete.
- GracefulPolicies: read and watch; write only their status subresource.
- Events: record what was changed, skipped, reverted or conflicted. Each Event has a name derived from its object,
  reason and message: get it by name (was this already reported?), create it, or patch it to count a repeat.
  No list: nothing is read back at start-up.
No Secrets, no Pods, no wildcards.
*/}}
{{- define "graceful-operator.workloadRules" -}}
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["get", "list", "watch", "patch"]
{{- if include "graceful-operator.argoRollouts" . }}
# Argo Rollouts (rbac.argoRollouts): governed while their CRD is installed, which the operator reads from API
# discovery (readable by every client, no grant needed)
- apiGroups: ["argoproj.io"]
  resources: ["rollouts"]
  verbs: ["get", "list", "watch", "patch"]
{{- end }}
- apiGroups: ["graceful.io"]
  resources: ["gracefulpolicies"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["graceful.io"]
  resources: ["gracefulpolicies/status"]
  verbs: ["patch", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["get", "create", "patch"]
{{- if .Values.drain.measure }}
# Drain measurement (drain.measure): read-only watches of pods and EndpointSlices; the operator keeps their
# identities and, for terminating pods of governed workloads, when routing let go of them;
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["get", "list", "watch"]
# and the kubelet's FailedPreStopHook Events (the operator asks the API server for that reason only);
- apiGroups: [""]
  resources: ["events"]
  verbs: ["list", "watch"]
# and Services and Ingresses, whose load-balancer annotations give the sleep a floor (selector, class, backends
# and those annotations are kept)
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch"]
{{- end }}
{{- end }}

{{/*
Labels of the operator pods: no helm.sh/chart, so a chart release that changes nothing in the pod does
not restart the operator.
*/}}
{{- define "graceful-operator.podLabels" -}}
{{ include "graceful-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: graceful-operator
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* initialDelaySeconds/periodSeconds/timeoutSeconds/failureThreshold of one probe (values probes.<name>). */}}
{{- define "graceful-operator.probeTimings" -}}
initialDelaySeconds: {{ int .initialDelaySeconds }}
periodSeconds: {{ int .periodSeconds }}
timeoutSeconds: {{ int .timeoutSeconds }}
failureThreshold: {{ int .failureThreshold }}
{{- end }}

{{/* PromQL label matchers selecting this release's series (metrics.prometheusRule.selector, else the job). */}}
{{- define "graceful-operator.promSelector" -}}
{{- default (printf "job=%q" (printf "%s-metrics" (include "graceful-operator.fullname" .))) .Values.metrics.prometheusRule.selector }}
{{- end }}
