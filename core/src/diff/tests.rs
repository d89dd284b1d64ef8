use super::*;
use crate::manifest::read_manifests;

fn one(y: &str) -> Value {
    read_manifests(y).expect("manifest").remove(0)
}

fn cm(data: &str) -> Value {
    one(&format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg, namespace: apps, labels: {{app.kubernetes.io/name: web}}}}\ndata: {data}\n"
    ))
}

/// What the API server returns for `obj`: server metadata, managed fields, status.
fn served(obj: &Value, rv: &str) -> Value {
    let mut v = obj.clone();
    let meta = v
        .as_map_mut()
        .and_then(|m| m.get_mut("metadata"))
        .and_then(Value::as_map_mut)
        .expect("metadata");
    for (k, val) in [
        ("resourceVersion", rv),
        ("uid", "0b1c"),
        ("creationTimestamp", "2026-01-01T00:00:00Z"),
    ] {
        meta.insert(k.into(), Value::from(val));
    }
    meta.insert("generation".into(), Value::from(3i64));
    meta.insert(
        "managedFields".into(),
        one("kind: X\nf: [{manager: gitward, operation: Apply}]\n")
            .get("f")
            .cloned()
            .expect("f"),
    );
    v.as_map_mut().expect("map").insert(
        "status".into(),
        one("kind: X\ns: {ready: true}\n")
            .get("s")
            .cloned()
            .expect("s"),
    );
    v
}

fn with_annotation(mut v: Value, k: &str, val: &str) -> Value {
    let meta = v
        .as_map_mut()
        .and_then(|m| m.get_mut("metadata"))
        .and_then(Value::as_map_mut)
        .expect("metadata");
    let ann = meta
        .entry("annotations".to_string())
        .or_insert_with(|| Value::Map(Map::default()));
    ann.as_map_mut()
        .expect("annotations")
        .insert(k.into(), Value::from(val));
    v
}

#[test]
fn server_noise_is_no_diff() {
    let desired = cm("{LOG_LEVEL: info}");
    let live = with_annotation(
        with_annotation(
            served(&desired, "7"),
            LAST_APPLIED_ANNOTATION,
            "{\"old\": 1}",
        ),
        "controller.example/added",
        "x",
    );
    let merged = served(&desired, "7");
    let d = diff_object(&desired, &merged, Some(&live), &DiffOptions::default());
    assert_eq!(d.entry.to_string(), "ConfigMap/apps/cfg unchanged");
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.unified(3, false), "");
    let report = DiffReport { objects: vec![d] };
    assert!(!report.has_changes());
    assert_eq!(report.to_text(3, false), "");
}

#[test]
fn one_changed_field_is_exactly_that_field() {
    let live = served(&cm("{LOG_LEVEL: info, OTHER: x}"), "7");
    let desired = cm("{LOG_LEVEL: debug, OTHER: x}");
    let merged = served(&desired, "8");
    let d = diff_object(&desired, &merged, Some(&live), &DiffOptions::default());
    assert_eq!(d.entry.action, Action::Configured);
    assert_eq!(
        d.changes,
        [FieldChange {
            path: "/data/LOG_LEVEL".into(),
            before: Some(Value::from("info")),
            after: Some(Value::from("debug")),
        }]
    );
    let report = DiffReport { objects: vec![d] };
    assert!(report.has_changes());
    assert_eq!(
        report.to_text(3, false),
        "► ConfigMap/apps/cfg drifted\n\
         --- live/v1.ConfigMap.apps.cfg\n\
         +++ merged/v1.ConfigMap.apps.cfg\n\
         @@ -1,6 +1,6 @@\n \
         apiVersion: v1\n \
         data:\n\
         -  LOG_LEVEL: info\n\
         +  LOG_LEVEL: debug\n   \
         OTHER: x\n \
         kind: ConfigMap\n \
         metadata:\n"
    );
    let json = crate::go::json::to_string(&report.to_value()).expect("json");
    assert_eq!(
        json,
        "{\"objects\":[{\"action\":\"configured\",\"changes\":[{\"after\":\"debug\",\"before\":\"info\",\"op\":\"replace\",\"path\":\"/data/LOG_LEVEL\"}],\"id\":\"apps_cfg__ConfigMap\",\"subject\":\"ConfigMap/apps/cfg\",\"version\":\"v1\"}]}"
    );
}

#[test]
fn label_pointers_are_escaped_and_removed_metadata_is_not_drift() {
    let live = served(&cm("{A: a}"), "1");
    let mut desired = cm("{A: a}");
    set_labels(
        &mut desired,
        &[("app.kubernetes.io/name".into(), "api".into())],
    );
    let d = diff_object(
        &desired,
        &served(&desired, "1"),
        Some(&live),
        &DiffOptions::default(),
    );
    let paths: Vec<(&str, &str)> = d
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.op()))
        .collect();
    assert_eq!(
        paths,
        [("/metadata/labels/app.kubernetes.io~1name", "replace")]
    );
    // Labels only the live object has (a controller's) are not reported as removed.
    let bare = one(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: apps}\ndata: {A: a}\n",
    );
    let d = diff_object(
        &bare,
        &served(&bare, "1"),
        Some(&live),
        &DiffOptions::default(),
    );
    assert_eq!(d.entry.action, Action::Unchanged);
}

#[test]
fn created_and_skipped() {
    let desired = cm("{A: a}");
    let d = diff_object(&desired, &desired, None, &DiffOptions::default());
    assert_eq!(d.entry.to_string(), "ConfigMap/apps/cfg created");
    let report = DiffReport { objects: vec![d] };
    assert_eq!(report.to_text(3, false), "► ConfigMap/apps/cfg created\n");
    assert_eq!(
        report.to_text(3, true),
        "\x1b[32m► ConfigMap/apps/cfg created\x1b[0m\n"
    );
    let ignored = with_annotation(
        desired.clone(),
        "kustomize.toolkit.fluxcd.io/reconcile",
        "disabled",
    );
    let s = pre_check(&ignored, None, &DiffOptions::default()).expect("skipped");
    assert_eq!(s.entry.to_string(), "ConfigMap/apps/cfg skipped");
    let all = DiffOptions::default().with_ignore(
        IgnoreRules::parse("- paths: ['']\n  target: {kind: ConfigMap}\n").expect("rules"),
    );
    assert_eq!(
        pre_check(&desired, None, &all).map(|d| d.entry.action),
        Some(Action::Skipped)
    );
    assert!(pre_check(&desired, None, &DiffOptions::default()).is_none());
}

#[test]
fn secret_values_are_masked_keys_shown() {
    let secret = |data: &str| {
        one(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: apps}}\ntype: Opaque\ndata: {data}\n"
        ))
    };
    // c2FtZQ== same, b2xk old -> bmV3 new, Z29uZQ== removed, YWRkZWQ= added.
    let live = with_annotation(
        served(
            &secret("{same: c2FtZQ==, changed: b2xk, gone: Z29uZQ==}"),
            "4",
        ),
        LAST_APPLIED_ANNOTATION,
        "{\"data\":{\"same\":\"c2FtZQ==\"}}",
    );
    let desired = secret("{same: c2FtZQ==, changed: bmV3, added: YWRkZWQ=}");
    let merged = served(&desired, "5");
    let d = diff_object(&desired, &merged, Some(&live), &DiffOptions::default());
    assert_eq!(d.entry.action, Action::Configured);
    let changes: Vec<(String, &str, Option<Value>, Option<Value>)> = d
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.op(), c.before.clone(), c.after.clone()))
        .collect();
    assert_eq!(
        changes,
        [
            ("/data/added".into(), "add", None, Some(Value::from(MASK))),
            (
                "/data/changed".into(),
                "replace",
                Some(Value::from(MASK_BEFORE)),
                Some(Value::from(MASK_AFTER))
            ),
            ("/data/gone".into(), "remove", Some(Value::from(MASK)), None),
        ]
    );
    let report = DiffReport { objects: vec![d] };
    let text = report.to_text(3, false);
    let json = crate::go::json::to_string(&report.to_value()).expect("json");
    for out in [&text, &json] {
        for secret in [
            "c2FtZQ", "b2xk", "bmV3", "Z29uZQ", "YWRkZWQ", "same\"", "old", "new",
        ] {
            if secret == "same\"" {
                continue;
            }
            assert!(!out.contains(secret), "{secret} leaked in {out}");
        }
    }
    assert!(text.contains("-  changed: '*** (before)'\n-  gone: '***'\n+  added: '***'\n+  changed: '*** (after)'\n"), "{text}");
    assert!(text.contains("   same: '***'\n"), "{text}");
}

#[test]
fn ignore_rules_hide_drift_for_selected_objects_only() {
    let dep = |name: &str, replicas: i64| {
        one(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: apps, labels: {{tier: web}}}}\nspec: {{replicas: {replicas}, paused: true}}\n"
        ))
    };
    let rules = IgnoreRules::parse(
        "- paths: [/spec/replicas]\n  target: {kind: Deployment, name: 'web|api', labelSelector: tier=web}\n",
    )
    .expect("rules");
    let opts = DiffOptions::default().with_ignore(rules);
    let live = served(&dep("web", 5), "2");
    let desired = dep("web", 1);
    let d = diff_object(&desired, &served(&desired, "2"), Some(&live), &opts);
    assert_eq!(d.entry.action, Action::Unchanged, "{:?}", d.changes);
    let live = served(&dep("db", 5), "2");
    let desired = dep("db", 1);
    let d = diff_object(&desired, &served(&desired, "2"), Some(&live), &opts);
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["/spec/replicas"]);
}

const KUBECTL_GET: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  uid: 1234
  resourceVersion: "99"
  generation: 2
  annotations: {deployment.kubernetes.io/revision: "2"}
  labels: {app: web, kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}
spec:
  progressDeadlineSeconds: 600
  replicas: 1
  revisionHistoryLimit: 10
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        imagePullPolicy: IfNotPresent
        ports: [{containerPort: 80, protocol: TCP}]
        resources: {}
        terminationMessagePath: /dev/termination-log
      dnsPolicy: ClusterFirst
      restartPolicy: Always
status: {replicas: 1}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: old
  namespace: apps
  labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: pinned
  namespace: apps
  labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}
  annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}
data: {a: b}
"#;

fn desired_web(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: apps, labels: {{app: web}}}}\n\
         spec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n\
         \x20   spec:\n      containers:\n      - name: web\n        image: {image}\n        ports: [{{containerPort: 80}}]\n"
    )
}

#[test]
fn offline_against_a_live_file() {
    let live = read_manifests(KUBECTL_GET).expect("live");
    let opts = DiffOptions {
        owner: Some(("apps".into(), "flux-system".into())),
        ..DiffOptions::default()
    };
    let same = read_manifests(&desired_web("web:1")).expect("desired");
    let r = diff_offline(same, &live, &Inventory::default(), &opts).expect("diff");
    assert_eq!(r.objects.len(), 1);
    assert_eq!(
        r.objects[0].entry.to_string(),
        "Deployment/apps/web unchanged",
        "{:?}",
        r.objects[0].changes
    );
    assert!(!r.has_changes());

    let changed = read_manifests(&format!(
        "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: new, namespace: apps}}\ndata: {{x: y}}\n",
        desired_web("web:2")
    ))
    .expect("desired");
    let previous = Inventory::from_json(
        r#"{"entries": [{"id": "apps_web_apps_Deployment", "v": "v1"}, {"id": "apps_old__ConfigMap", "v": "v1"}, {"id": "apps_pinned__ConfigMap", "v": "v1"}, {"id": "apps_vanished__ConfigMap", "v": "v1"}]}"#,
    )
    .expect("inventory");
    let pruning = DiffOptions {
        prune: true,
        ..opts.clone()
    };
    let r = diff_offline(changed, &live, &previous, &pruning).expect("diff");
    let lines: Vec<String> = r.objects.iter().map(|o| o.entry.to_string()).collect();
    assert_eq!(
        lines,
        [
            "ConfigMap/apps/new created",
            "Deployment/apps/web configured",
            "ConfigMap/apps/old deleted",
            "ConfigMap/apps/pinned skipped",
        ]
    );
    let web = &r.objects[1];
    let paths: Vec<&str> = web.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["/spec/template/spec/containers/0/image"]);
    let text = r.to_text(3, false);
    assert!(text.starts_with("► ConfigMap/apps/new created\n► Deployment/apps/web drifted\n--- live/apps.v1.Deployment.apps.web\n"), "{text}");
    assert!(
        text.contains("-      - image: web:1\n+      - image: web:2\n"),
        "{text}"
    );
    assert!(text.ends_with("► ConfigMap/apps/old deleted\n"), "{text}");

    let dup = read_manifests(&format!("{0}---\n{0}", desired_web("x"))).expect("dup");
    assert_eq!(
        diff_offline(dup, &live, &Inventory::default(), &opts).map(|_| ()),
        Err(DiffError::Duplicate {
            subject: "Deployment/apps/web".into()
        })
    );
}

#[test]
fn overlay_merges_keyed_lists_and_keeps_live_only_fields() {
    let live = one(
        "kind: X\nspec: {a: 1, list: [{name: x, v: 1, d: 0}, {name: y, v: 2}], tags: [a, b]}\n",
    );
    let desired = one("kind: X\nspec: {list: [{name: y, v: 3}, {name: z}], tags: [c]}\n");
    assert_eq!(
        overlay(&live, &desired),
        one("kind: X\nspec: {a: 1, list: [{name: y, v: 3}, {name: z}], tags: [c]}\n")
    );
    let desired = one("kind: X\nspec: {list: [{name: x, v: 5}]}\n");
    assert_eq!(
        overlay(&live, &desired),
        one("kind: X\nspec: {a: 1, list: [{name: x, v: 5, d: 0}], tags: [a, b]}\n")
    );
}

#[test]
fn diff_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<DiffReport>();
    check::<DiffOptions>();
    check::<IgnoreRules>();
}
