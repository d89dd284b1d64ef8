//! Criterion benchmark of the pure apply plan (`gitward::ssa::plan::plan`): 10,000 desired
//! objects (ConfigMaps, Deployments, Services in 10 Namespaces) against their 10,000 live
//! objects as an API server returns them (uids, managed fields, defaults, status), 1% of
//! them drifted, with a previous inventory of 100 more objects to prune.
//!
//! Run with `cargo bench -p gitward --bench plan` (see docs/benchmarks.md). The goal of
//! issue 12 is under 200 ms for the whole plan.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gitward::inventory::{Inventory, InventoryEntry};
use gitward::manifest::read_manifests;
use gitward::ssa::plan::{PlanOptions, plan};
use gitward::yaml::Value;

/// The CLI's allocator, so that the numbers are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const N: usize = 10_000;
const MANAGED: &str = "managedFields: [{manager: gitward, operation: Apply, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: {'f:metadata': {'f:labels': {}}}}]";

/// The desired objects and the live ones.
fn objects() -> (Vec<Value>, Vec<Value>) {
    let mut desired = String::new();
    let mut live = String::new();
    let labels = "labels: {app.kubernetes.io/name: bench, kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}";
    for ns in 0..10 {
        writeln!(
            desired,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{ns}}}"
        )
        .unwrap();
        writeln!(
            live,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{ns}, uid: u-ns-{ns}, resourceVersion: '1', labels: {{kubernetes.io/metadata.name: ns-{ns}, kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}}, {MANAGED}}}\nspec: {{finalizers: [kubernetes]}}\nstatus: {{phase: Active}}"
        )
        .unwrap();
    }
    for i in 0..N - 10 {
        let ns = i % 10;
        let drift = if i % 100 == 0 { "old" } else { "new" };
        match i % 3 {
            0 => {
                writeln!(desired, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: ns-{ns}, labels: {{app.kubernetes.io/name: bench}}}}\ndata: {{LOG_LEVEL: info, VALUE: new, INDEX: '{i}'}}").unwrap();
                writeln!(live, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: ns-{ns}, uid: u-{i}, resourceVersion: '{i}', creationTimestamp: '2026-12-07T00:00:00Z', {labels}, {MANAGED}}}\ndata: {{LOG_LEVEL: info, VALUE: {drift}, INDEX: '{i}'}}").unwrap();
            }
            1 => {
                writeln!(desired, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web-{i}, namespace: ns-{ns}, labels: {{app.kubernetes.io/name: bench}}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: web-{i}}}}}\n  template:\n    metadata: {{labels: {{app: web-{i}}}}}\n    spec:\n      containers:\n      - name: web\n        image: registry.example/web:{drift}\n        ports: [{{name: http, containerPort: 8080}}]\n        resources: {{limits: {{cpu: 500m, memory: 128Mi}}}}\n        env: [{{name: MODE, value: prod}}]").unwrap();
                writeln!(live, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web-{i}, namespace: ns-{ns}, uid: u-{i}, resourceVersion: '{i}', generation: 1, annotations: {{deployment.kubernetes.io/revision: '1'}}, {labels}, {MANAGED}}}\nspec:\n  replicas: 2\n  revisionHistoryLimit: 10\n  progressDeadlineSeconds: 600\n  selector: {{matchLabels: {{app: web-{i}}}}}\n  strategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: 25%, maxUnavailable: 25%}}}}\n  template:\n    metadata: {{creationTimestamp: null, labels: {{app: web-{i}}}}}\n    spec:\n      dnsPolicy: ClusterFirst\n      restartPolicy: Always\n      schedulerName: default-scheduler\n      terminationGracePeriodSeconds: 30\n      securityContext: {{}}\n      containers:\n      - name: web\n        image: registry.example/web:new\n        imagePullPolicy: IfNotPresent\n        terminationMessagePath: /dev/termination-log\n        terminationMessagePolicy: File\n        ports: [{{name: http, containerPort: 8080, protocol: TCP}}]\n        resources: {{limits: {{cpu: 500m, memory: 128Mi}}}}\n        env: [{{name: MODE, value: prod}}]\nstatus: {{observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2}}").unwrap();
            }
            _ => {
                writeln!(desired, "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: ns-{ns}, labels: {{app.kubernetes.io/name: bench}}}}\nspec:\n  selector: {{app: web-{i}}}\n  ports: [{{name: http, port: 80, targetPort: http}}]").unwrap();
                writeln!(live, "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: ns-{ns}, uid: u-{i}, resourceVersion: '{i}', {labels}, {MANAGED}}}\nspec:\n  selector: {{app: web-{i}}}\n  clusterIP: 10.0.0.1\n  clusterIPs: [10.0.0.1]\n  type: ClusterIP\n  sessionAffinity: None\n  ipFamilies: [IPv4]\n  ipFamilyPolicy: SingleStack\n  internalTrafficPolicy: Cluster\n  ports: [{{name: http, port: 80, protocol: TCP, targetPort: http}}]\nstatus: {{loadBalancer: {{}}}}").unwrap();
            }
        }
    }
    (
        read_manifests(&desired).unwrap(),
        read_manifests(&live).unwrap(),
    )
}

fn bench_plan(c: &mut Criterion) {
    let (desired, live) = objects();
    let mut previous = Inventory::default();
    for o in &desired {
        previous.entries.push(InventoryEntry {
            id: gitward::ssa::ObjMetadata::of(o).id(),
            version: "v1".into(),
        });
    }
    for i in 0..100 {
        previous.entries.push(InventoryEntry {
            id: format!("ns-0_stale-{i}__ConfigMap"),
            version: "v1".into(),
        });
    }
    let opts = PlanOptions::new("gitward")
        .with_owner("apps", "flux-system")
        .with_prune(true);
    let p = plan(desired.clone(), &live, &previous, &opts).unwrap();
    let count = |a: &str| p.entries().filter(|e| e.entry.action.as_str() == a).count();
    println!(
        "plan of {} objects: {} unchanged, {} configured, {} deleted",
        desired.len(),
        count("unchanged"),
        count("configured"),
        count("deleted")
    );
    // CPU time of this thread per plan (Linux `schedstat`: nanoseconds on a CPU), best of
    // 5: wall time on a shared, loaded machine counts the other jobs too.
    let cpu_ns = || {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| {
                s.split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
            })
    };
    let mut best = None::<u64>;
    for _ in 0..5 {
        let d = desired.clone();
        let (Some(before), p, Some(after)) = (cpu_ns(), plan(d, &live, &previous, &opts), cpu_ns())
        else {
            break;
        };
        black_box(p.unwrap());
        best = Some(best.map_or(after - before, |b| b.min(after - before)));
    }
    if let Some(ns) = best {
        println!(
            "plan of {} objects: {:.1} ms of CPU (best of 5)",
            desired.len(),
            ns as f64 / 1e6
        );
    }
    let mut g = c.benchmark_group("plan");
    g.throughput(Throughput::Elements(desired.len() as u64));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("10k_objects", |b| {
        b.iter_batched(
            || desired.clone(),
            |d| black_box(plan(d, &live, &previous, &opts).unwrap()),
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
