{{- define "fleet.selector" -}}
app.kubernetes.io/instance: {{ .name }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{- define "fleet.metadata" -}}
labels:
  app.kubernetes.io/component: backend
  app.kubernetes.io/instance: {{ .s.name }}
  app.kubernetes.io/managed-by: cdk8s-go-platform
  app.kubernetes.io/name: {{ .s.name }}
  app.kubernetes.io/part-of: {{ .root.Values.partOf }}
  app.kubernetes.io/version: {{ .s.version | quote }}
name: {{ .s.name }}
namespace: {{ .root.Values.namespace }}
{{- end -}}

{{- define "fleet.configName" -}}
{{ .name }}-config-{{ .config | toJson | sha256sum | trunc 10 }}
{{- end -}}

{{- define "fleet.grpcProbe" -}}
grpc:
  port: {{ .port }}
initialDelaySeconds: 0
periodSeconds: {{ .period }}
timeoutSeconds: {{ .timeout }}
failureThreshold: {{ .failures }}
successThreshold: 1
{{- end -}}

{{- define "fleet.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: 8080
  scheme: HTTP
initialDelaySeconds: 0
periodSeconds: {{ .period }}
timeoutSeconds: {{ .timeout }}
failureThreshold: {{ .failures }}
successThreshold: 1
{{- end -}}
