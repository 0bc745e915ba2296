{{- define "tingting.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's name, with the chart's unless it already holds it. */}}
{{- define "tingting.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "tingting.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tingting.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tingting.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "tingting.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "tingting.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "tingting.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "tingting.fullname" .) }}
{{- else }}
{{- .Values.serviceAccount.name | default "default" }}
{{- end }}
{{- end }}

{{/* The Secret holding the variables under secret.env. */}}
{{- define "tingting.secretName" -}}
{{- .Values.secret.existingSecret | default (include "tingting.fullname" .) }}
{{- end }}

{{/* Where the Temporal TLS Secrets are mounted. */}}
{{- define "tingting.clientCertDir" -}}/etc/tingting/temporal-client{{- end }}
{{- define "tingting.caDir" -}}/etc/tingting/temporal-ca{{- end }}

{{/*
The pod spec both Deployments share; the component's values come in as
.component, its container's own settings in .container.
*/}}
{{- define "tingting.podSpec" -}}
{{- $ := .root -}}
{{- with $.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
serviceAccountName: {{ include "tingting.serviceAccountName" $ }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml $.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds }}
containers:
  - name: {{ .name }}
    image: {{ include "tingting.image" $ }}
    imagePullPolicy: {{ $.Values.image.pullPolicy }}
    args: [{{ .name | quote }}]
    envFrom:
      - configMapRef:
          name: {{ include "tingting.fullname" $ }}
      - secretRef:
          name: {{ include "tingting.secretName" $ }}
    {{- with .env }}
    env:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    ports:
      {{- with .ports }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      - name: metrics
        containerPort: {{ $.Values.metrics.port }}
    {{- toYaml .probes | nindent 4 }}
    {{- with .lifecycle }}
    lifecycle:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    securityContext:
      {{- toYaml $.Values.securityContext | nindent 6 }}
    resources:
      {{- toYaml .component.resources | nindent 6 }}
    {{- if or $.Values.temporalTLS.clientCertSecret $.Values.temporalTLS.caSecret }}
    volumeMounts:
      {{- if $.Values.temporalTLS.clientCertSecret }}
      - name: temporal-client
        mountPath: {{ include "tingting.clientCertDir" $ }}
        readOnly: true
      {{- end }}
      {{- if $.Values.temporalTLS.caSecret }}
      - name: temporal-ca
        mountPath: {{ include "tingting.caDir" $ }}
        readOnly: true
      {{- end }}
    {{- end }}
{{- if or $.Values.temporalTLS.clientCertSecret $.Values.temporalTLS.caSecret }}
volumes:
  {{- with $.Values.temporalTLS.clientCertSecret }}
  - name: temporal-client
    secret:
      secretName: {{ . }}
      items: [{key: tls.crt, path: tls.crt}, {key: tls.key, path: tls.key}]
  {{- end }}
  {{- with $.Values.temporalTLS.caSecret }}
  - name: temporal-ca
    secret:
      secretName: {{ . }}
      items: [{key: ca.crt, path: ca.crt}]
  {{- end }}
{{- end }}
{{- with .component.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .component.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .component.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .component.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod annotations that roll the pods when their configuration changes. */}}
{{- define "tingting.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
