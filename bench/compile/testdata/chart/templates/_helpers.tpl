{{/* Every object's labels: project labels, the service's tier, then the recommended labels. */}}
{{- define "estate.labels" -}}
{{- $svc := .svc -}}
{{- $l := dict "app.kubernetes.io/name" $svc.name "app.kubernetes.io/instance" $svc.name "app.kubernetes.io/version" .root.Values.version "app.kubernetes.io/part-of" .root.Values.project.name "app.kubernetes.io/managed-by" "nbac" -}}
{{- $l = merge $l (dict "tier" $svc.tier) .root.Values.project.labels (dict "app.kubernetes.io/component" "server") -}}
{{- toYaml $l -}}
{{- end -}}

{{- define "estate.selector" -}}
app.kubernetes.io/instance: {{ .name }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{/* The model slice a service's runtime reads: the caches and queues it uses and what they name. */}}
{{- define "estate.model" -}}
{{- $root := .root -}}
{{- $caches := list -}}
{{- $queues := list -}}
{{- $brokers := dict -}}
{{- range .svc.uses -}}
{{- if eq .kind "cache" -}}
{{- $caches = append $caches (get $root.Values.caches .name) -}}
{{- else -}}
{{- $q := get $root.Values.queues .name -}}
{{- $queues = append $queues $q -}}
{{- $_ := set $brokers $q.broker (get $root.Values.brokers $q.broker) -}}
{{- end -}}
{{- end -}}
{{- $slice := dict "version" "1" "project" $root.Values.project -}}
{{- $needRedis := gt (len $caches) 0 -}}
{{- range $brokers -}}{{- if hasKey . "redis" -}}{{- $needRedis = true -}}{{- end -}}{{- end -}}
{{- if $needRedis -}}{{- $_ := set $slice "redis" $root.Values.redis -}}{{- end -}}
{{- if $caches -}}{{- $_ := set $slice "caches" $caches -}}{{- end -}}
{{- if $queues -}}
{{- $bl := list -}}
{{- range $k := keys $brokers | sortAlpha -}}{{- $bl = append $bl (get $brokers $k) -}}{{- end -}}
{{- $_ := set $slice "brokers" $bl -}}
{{- $_ := set $slice "queues" $queues -}}
{{- end -}}
{{- toPrettyJson $slice -}}
{{- end -}}
