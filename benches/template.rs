//! Criterion benchmarks of the template engine: parsing and executing a chart-like
//! template of about 1,000 lines that leans on `include`, `tpl` and `toYaml` in loops.
//!
//! Run with `cargo bench -p gitward --bench template` (see docs/benchmarks.md).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gitward::template::value::Val;
use gitward::template::{Env, Templates};

/// Named helpers, as a chart's `_helpers.tpl` defines them.
const HELPERS: &str = r#"{{- define "bench.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "bench.fullname" -}}
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
{{- define "bench.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "bench.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bench.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "bench.labels" -}}
helm.sh/chart: {{ include "bench.chart" . }}
{{ include "bench.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- define "bench.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag -}}
{{- printf "%s/%s:%s" .image.registry .image.repository $tag -}}
{{- end }}
"#;

/// One component's resources: a Deployment, a Service and a ConfigMap (about 90 lines).
fn component(i: usize) -> String {
    format!(
        r#"{{{{- $c := index .Values.components {i} }}}}
{{{{- $root := . }}}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "bench.fullname" . }}}}-{{{{ $c.name }}}}
  labels:
    {{{{- include "bench.labels" . | nindent 4 }}}}
    component: {{{{ $c.name | quote }}}}
  annotations:
    checksum/config: {{{{ toYaml $c.config | sha256sum }}}}
    description: {{{{ tpl $c.description $root | quote }}}}
spec:
  replicas: {{{{ $c.replicas | default 1 }}}}
  selector:
    matchLabels:
      {{{{- include "bench.selectorLabels" . | nindent 6 }}}}
      component: {{{{ $c.name | quote }}}}
  template:
    metadata:
      labels:
        {{{{- include "bench.selectorLabels" . | nindent 8 }}}}
        component: {{{{ $c.name | quote }}}}
      {{{{- with $c.podAnnotations }}}}
      annotations:
        {{{{- toYaml . | nindent 8 }}}}
      {{{{- end }}}}
    spec:
      containers:
        {{{{- range $j, $ctr := $c.containers }}}}
        - name: {{{{ $ctr.name }}}}
          image: {{{{ include "bench.image" (dict "root" $root "image" $ctr.image) }}}}
          imagePullPolicy: {{{{ $ctr.pullPolicy | default "IfNotPresent" }}}}
          args:
            {{{{- range $ctr.args }}}}
            - {{{{ tpl . $root | quote }}}}
            {{{{- end }}}}
          env:
            {{{{- range $k, $v := $ctr.env }}}}
            - name: {{{{ $k | upper | replace "-" "_" }}}}
              value: {{{{ tpl (toString $v) $root | quote }}}}
            {{{{- end }}}}
          ports:
            {{{{- range $ctr.ports }}}}
            - name: {{{{ .name }}}}
              containerPort: {{{{ .port }}}}
              protocol: {{{{ .protocol | default "TCP" }}}}
            {{{{- end }}}}
          resources:
            {{{{- toYaml $ctr.resources | nindent 12 }}}}
          {{{{- if $ctr.probe }}}}
          livenessProbe:
            httpGet:
              path: {{{{ $ctr.probe.path }}}}
              port: {{{{ $ctr.probe.port }}}}
          readinessProbe:
            {{{{- toYaml $ctr.probe | nindent 12 }}}}
          {{{{- end }}}}
        {{{{- end }}}}
      {{{{- with $c.nodeSelector }}}}
      nodeSelector:
        {{{{- toYaml . | nindent 8 }}}}
      {{{{- end }}}}
      {{{{- with $c.tolerations }}}}
      tolerations:
        {{{{- toYaml . | nindent 8 }}}}
      {{{{- end }}}}
---
apiVersion: v1
kind: Service
metadata:
  name: {{{{ include "bench.fullname" . }}}}-{{{{ $c.name }}}}
  labels:
    {{{{- include "bench.labels" . | nindent 4 }}}}
spec:
  type: {{{{ $c.service.type | default "ClusterIP" }}}}
  ports:
    {{{{- range $c.containers }}}}
    {{{{- range .ports }}}}
    - port: {{{{ .port }}}}
      targetPort: {{{{ .name }}}}
      name: {{{{ .name }}}}
    {{{{- end }}}}
    {{{{- end }}}}
  selector:
    {{{{- include "bench.selectorLabels" . | nindent 4 }}}}
    component: {{{{ $c.name | quote }}}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ include "bench.fullname" . }}}}-{{{{ $c.name }}}}-config
  labels:
    {{{{- include "bench.labels" . | nindent 4 }}}}
data:
  config.yaml: |
    {{{{- toYaml $c.config | nindent 4 }}}}
  settings.json: {{{{ $c.config | toJson | quote }}}}
  {{{{- range $k, $v := $c.config.settings }}}}
  {{{{ $k }}}}: {{{{ tpl (toString $v) $root | quote }}}}
  {{{{- end }}}}
"#
    )
}

/// Number of components (each renders three resources).
const COMPONENTS: usize = 10;

/// The template text: helpers and `COMPONENTS` component blocks (about 1,000 lines).
fn template_text() -> String {
    let mut t = String::from(HELPERS);
    for i in 0..COMPONENTS {
        t.push_str(&component(i));
    }
    t
}

/// The values (`.Values`) plus Helm's built-in objects, as YAML.
fn data_yaml() -> String {
    let mut v = String::from(
        "Release:\n  Name: bench\n  Namespace: default\n  Service: Helm\n\
         Chart:\n  Name: bench\n  Version: 1.2.3+build.4\n  AppVersion: \"4.5.6\"\n\
         Values:\n  nameOverride: \"\"\n  fullnameOverride: \"\"\n  domain: example.com\n  components:\n",
    );
    for i in 0..COMPONENTS {
        let _ = write!(
            v,
            r#"  - name: comp{i}
    replicas: {r}
    description: "component {i} of {{{{ .Release.Name }}}} in {{{{ .Release.Namespace }}}}"
    service: {{type: ClusterIP}}
    podAnnotations: {{prometheus.io/scrape: "true", prometheus.io/port: "9090"}}
    nodeSelector: {{kubernetes.io/os: linux}}
    tolerations: [{{key: dedicated, operator: Equal, value: comp{i}, effect: NoSchedule}}]
    config:
      logLevel: info
      replicas: {r}
      features: [a, b, c]
      nested: {{x: {{y: {{z: [1, 2, 3]}}}}}}
      settings:
        url: "https://{{{{ .Values.domain }}}}/comp{i}"
        retries: 3
        name: "{{{{ .Release.Name }}}}-comp{i}"
    containers:
"#,
            r = i % 3 + 1
        );
        for j in 0..3 {
            let _ = write!(
                v,
                r#"    - name: c{j}
      image: {{registry: docker.io, repository: org/comp{i}-c{j}, tag: ""}}
      args: ["--name={{{{ .Release.Name }}}}", "--port=80{j}0", "--verbose"]
      env: {{log-level: debug, release: "{{{{ .Release.Name }}}}", index: {j}}}
      ports: [{{name: http{j}, port: 80{j}0}}, {{name: metrics{j}, port: 90{j}0, protocol: TCP}}]
      resources: {{limits: {{cpu: 500m, memory: 256Mi}}, requests: {{cpu: 100m, memory: 128Mi}}}}
      probe: {{path: /healthz, port: 80{j}0, initialDelaySeconds: 5}}
"#
            );
        }
    }
    v
}

fn bench_template(c: &mut Criterion) {
    let text = template_text();
    let data_yaml = data_yaml();
    let value = gitward::yaml::parse_helm_values(&data_yaml).unwrap();
    let env = Env::default();

    let mut parsed = Templates::new();
    parsed.add("bench", &text).unwrap();
    let out = parsed
        .execute("bench", Val::from_value(&value), &env)
        .unwrap();
    assert!(
        !out.contains("<no value>"),
        "a value the template reads is missing"
    );
    assert!(out.contains("image: docker.io/org/comp9-c2:4.5.6"));
    assert!(out.contains("description: \"component 3 of bench in default\""));
    let lines = text.lines().count();
    println!(
        "template: {lines} lines, {} bytes; output {} lines, {} bytes",
        text.len(),
        out.lines().count(),
        out.len()
    );

    let mut g = c.benchmark_group("template");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            let mut t = Templates::new();
            t.add("bench", black_box(&text)).unwrap();
            t
        })
    });
    g.throughput(Throughput::Bytes(out.len() as u64));
    g.bench_function("execute", |b| {
        b.iter(|| {
            parsed
                .execute("bench", Val::from_value(black_box(&value)), &env)
                .unwrap()
        })
    });
    g.bench_function("parse_and_execute", |b| {
        b.iter(|| {
            let mut t = Templates::new();
            t.add("bench", black_box(&text)).unwrap();
            t.execute("bench", Val::from_value(&value), &env).unwrap()
        })
    });
    g.finish();
}

/// Sprig's crypto functions, one call per iteration (their cost is not bounded by the
/// engine's step limit, so it is worth knowing).
fn bench_crypto(c: &mut Criterion) {
    let env = Env::default();
    let mut g = c.benchmark_group("crypto");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (name, text) in [
        ("bcrypt", r#"{{ bcrypt "password" }}"#),
        (
            "derivePassword",
            r#"{{ derivePassword 1 "long" "p" "u" "s" }}"#,
        ),
        ("encryptAES", r#"{{ encryptAES "key" "some plaintext" }}"#),
        ("genPrivateKey_ecdsa", r#"{{ genPrivateKey "ecdsa" }}"#),
        ("genPrivateKey_ed25519", r#"{{ genPrivateKey "ed25519" }}"#),
        ("genCA_rsa2048", r#"{{ (genCA "ca" 365).Cert }}"#),
    ] {
        let mut t = Templates::new();
        t.add(name, text).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| t.execute(name, Val::Nil, &env).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench_template, bench_crypto);
criterion_main!(benches);
