//! Smoke tests of the test cluster (etcd + kube-apiserver from scripts/test-cluster.sh),
//! through the `kube` crate.

use std::time::Duration;

use gitward_tests::{cluster, unique_name};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use serde_json::json;

fn api_code(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

async fn create_namespace(client: &kube::Client, prefix: &str) -> String {
    let name = unique_name(prefix);
    let ns: Namespace = serde_json::from_value(json!({
        "metadata": { "name": name, "labels": { "gitward.test/smoke": "yes" } }
    }))
    .expect("namespace json");
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .expect("create namespace");
    name
}

#[tokio::test]
async fn apiserver_reports_the_built_version() {
    let c = cluster();
    let client = c.client().await;
    let info = client.apiserver_version().await.expect("GET /version");
    assert_eq!(info.git_version, c.version);
    assert!(
        c.version.starts_with("v1.35."),
        "expected a v1.35.x apiserver, got {}",
        c.version
    );
}

#[tokio::test]
async fn namespace_crd_and_custom_resource_round_trip() {
    let client = cluster().client().await;

    // Namespace: create, read back.
    let ns = create_namespace(&client, "smoke").await;
    let got = Api::<Namespace>::all(client.clone())
        .get(&ns)
        .await
        .expect("get namespace");
    assert_eq!(
        got.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("gitward.test/smoke"))
            .map(String::as_str),
        Some("yes")
    );

    // CRD with a structural schema; a group of its own so reruns never collide.
    let group = format!("{}.gitward.test", unique_name("g"));
    let crd_name = format!("widgets.{group}");
    let crd: CustomResourceDefinition = serde_json::from_value(json!({
        "metadata": { "name": crd_name },
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": { "plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList" },
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": { "openAPIV3Schema": {
                    "type": "object",
                    "properties": { "spec": {
                        "type": "object",
                        "required": ["size"],
                        "properties": {
                            "size": { "type": "integer", "minimum": 1 },
                            "color": { "type": "string" }
                        }
                    }}
                }}
            }]
        }
    }))
    .expect("crd json");
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &crd)
        .await
        .expect("create CRD");

    // Wait until the CRD is Established (the apiserver serves its REST endpoint).
    let mut established = false;
    for _ in 0..300 {
        let crd = crds.get(&crd_name).await.expect("get CRD");
        established = crd
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True");
        if established {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(established, "CRD {crd_name} never became Established");

    // Custom resource: create, read back.
    let gvk = GroupVersionKind::gvk(&group, "v1", "Widget");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "widgets");
    let widgets: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, &ar);
    let widget: DynamicObject = serde_json::from_value(json!({
        "apiVersion": format!("{group}/v1"),
        "kind": "Widget",
        "metadata": { "name": "w1" },
        "spec": { "size": 3, "color": "blue" }
    }))
    .expect("widget json");
    // The CRD may be Established a moment before its endpoint answers: retry a 404 briefly.
    let mut created = None;
    for _ in 0..50 {
        match widgets.create(&PostParams::default(), &widget).await {
            Ok(w) => {
                created = Some(w);
                break;
            }
            Err(e) if api_code(&e) == Some(404) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("create widget: {e}"),
        }
    }
    let created = created.expect("widget endpoint never appeared");
    assert!(created.metadata.uid.is_some());
    let got = widgets.get("w1").await.expect("get widget");
    assert_eq!(got.data["spec"]["size"], json!(3));
    assert_eq!(got.data["spec"]["color"], json!("blue"));
    assert_eq!(got.metadata.namespace.as_deref(), Some(ns.as_str()));

    // The schema is enforced by the real apiserver.
    let bad: DynamicObject = serde_json::from_value(json!({
        "apiVersion": format!("{group}/v1"),
        "kind": "Widget",
        "metadata": { "name": "w2" },
        "spec": { "size": 0 }
    }))
    .expect("widget json");
    let err = widgets
        .create(&PostParams::default(), &bad)
        .await
        .expect_err("size 0 violates minimum 1");
    assert_eq!(api_code(&err), Some(422), "{err}");
}

#[tokio::test]
async fn server_side_apply_field_managers_and_dry_run() {
    let client = cluster().client().await;
    let ns = create_namespace(&client, "ssa").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);

    let cm = |data: serde_json::Value| json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "cfg" }, "data": data });

    // Apply as "gitward-smoke": the field manager owns data.a.
    let applied = cms
        .patch(
            "cfg",
            &PatchParams::apply("gitward-smoke"),
            &Patch::Apply(&cm(json!({ "a": "1" }))),
        )
        .await
        .expect("server-side apply");
    let managers = applied.metadata.managed_fields.unwrap_or_default();
    assert!(
        managers
            .iter()
            .any(|m| m.manager.as_deref() == Some("gitward-smoke")
                && m.operation.as_deref() == Some("Apply")),
        "no Apply entry for gitward-smoke in {managers:?}"
    );

    // Another manager changing the same field conflicts unless it forces.
    let err = cms
        .patch(
            "cfg",
            &PatchParams::apply("other-manager"),
            &Patch::Apply(&cm(json!({ "a": "2" }))),
        )
        .await
        .expect_err("conflicting apply must fail");
    assert_eq!(api_code(&err), Some(409), "{err}");
    let forced = cms
        .patch(
            "cfg",
            &PatchParams::apply("other-manager").force(),
            &Patch::Apply(&cm(json!({ "a": "2" }))),
        )
        .await
        .expect("forced apply");
    assert_eq!(
        forced.data.unwrap_or_default().get("a").map(String::as_str),
        Some("2")
    );

    // Dry run: the response shows the change, the stored object does not.
    let dry = cms
        .patch(
            "cfg",
            &PatchParams::apply("other-manager").dry_run(),
            &Patch::Apply(&cm(json!({ "a": "3", "b": "new" }))),
        )
        .await
        .expect("dry-run apply");
    let dry_data = dry.data.unwrap_or_default();
    assert_eq!(dry_data.get("a").map(String::as_str), Some("3"));
    assert_eq!(dry_data.get("b").map(String::as_str), Some("new"));
    let stored = cms.get("cfg").await.expect("get configmap");
    let stored_data = stored.data.unwrap_or_default();
    assert_eq!(stored_data.get("a").map(String::as_str), Some("2"));
    assert!(!stored_data.contains_key("b"));

    // Dry-run create stores nothing.
    let other: ConfigMap =
        serde_json::from_value(json!({ "metadata": { "name": "never" }, "data": { "x": "y" } }))
            .expect("configmap json");
    let pp = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    cms.create(&pp, &other).await.expect("dry-run create");
    let err = cms
        .get("never")
        .await
        .expect_err("dry-run create stored nothing");
    assert_eq!(api_code(&err), Some(404), "{err}");
}

#[tokio::test]
async fn token_auth_and_rbac_are_enforced() {
    let c = cluster();
    let admin = c.client().await;
    let user = c.user_client().await;
    let ns = create_namespace(&admin, "rbac").await;

    // gitward-user is authenticated by token but has no grants yet.
    let as_user: Api<ConfigMap> = Api::namespaced(user.clone(), &ns);
    let err = as_user
        .list(&Default::default())
        .await
        .expect_err("no RBAC grant yet");
    assert_eq!(api_code(&err), Some(403), "{err}");

    // Grant read access to ConfigMaps in this namespace only.
    let role: Role = serde_json::from_value(json!({
        "metadata": { "name": "cm-reader" },
        "rules": [{ "apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"] }]
    }))
    .expect("role json");
    let binding: RoleBinding = serde_json::from_value(json!({
        "metadata": { "name": "cm-reader" },
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm-reader" },
        "subjects": [{ "apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "gitward-user" }]
    }))
    .expect("rolebinding json");
    Api::<Role>::namespaced(admin.clone(), &ns)
        .create(&PostParams::default(), &role)
        .await
        .expect("create role");
    Api::<RoleBinding>::namespaced(admin.clone(), &ns)
        .create(&PostParams::default(), &binding)
        .await
        .expect("create rolebinding");

    // RBAC decisions follow the binding at once.
    as_user
        .list(&Default::default())
        .await
        .expect("list after grant");
    let err = as_user
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({ "metadata": { "name": "nope" } })).expect("json"),
        )
        .await
        .expect_err("create is not granted");
    assert_eq!(api_code(&err), Some(403), "{err}");
}
