//! What happens to the built objects: post-build substitution (through JSON, as
//! `fluxcd/pkg/kustomize` does it), the owner labels, SOPS masking and `commonMetadata`.

use super::{CommonMetadata, GROUP, PostBuild};
use crate::envsubst::EnvsubstError;
use crate::yaml::{Map, Number, Value};
use base64::Engine as _;

/// The text a masked SOPS value is replaced with.
pub const SOPS_MASK: &str = "**SOPS**";

const DISABLED_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";
const VAR_NAME_RE: &str = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";

/// Why an object's substitution failed (the reference's messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubstituteError {
    /// A variable name that does not match `^[_[:alpha:]][_[:alpha:][:digit:]]*$`.
    #[error("'{0}' var name is invalid, must match '{VAR_NAME_RE}'")]
    InvalidVarName(String),
    /// The substitution language failed.
    #[error("variable substitution failed: {0}")]
    Eval(#[from] EnvsubstError),
    /// The substituted text is not valid YAML.
    #[error("YAMLToJSON: {0}")]
    Yaml(String),
}

/// Why a Secret could not be masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MaskError {
    /// A `data` value that is not valid standard base64.
    #[error("illegal base64 data at input byte {0}")]
    Base64(usize),
}

/// Whether `name` is a valid variable name (`^[_[:alpha:]][_[:alpha:][:digit:]]*$`, ASCII).
pub fn validate_var_name(name: &str) -> bool {
    let mut b = name.bytes();
    b.next()
        .is_some_and(|c| c == b'_' || c.is_ascii_alphabetic())
        && b.all(|c| c == b'_' || c.is_ascii_alphanumeric())
}

fn string_at<'v>(obj: &'v Value, path: &[&str]) -> Option<&'v str> {
    obj.get_path(path).and_then(Value::as_str)
}

/// Substitutes `pb`'s variables in `obj` as kustomize-controller does in dry-run mode:
/// nothing when the object opts out (label or annotation
/// `kustomize.toolkit.fluxcd.io/substitute: disabled`) or when there are no inline
/// variables and the strategy is not `Always` (`Ok(None)`). Otherwise the object is
/// printed as YAML through JSON, the whole text substituted, and the result read back
/// with YAML 1.1 scalars (so `"${n}"` with `n=3` becomes the number 3) and every number
/// as a JSON float.
///
/// # Errors
/// [`SubstituteError`]: an invalid variable name, a failed substitution (strict mode: an
/// unset variable), a result that is not YAML.
pub fn substitute(
    obj: &Value,
    pb: &PostBuild,
    strict: bool,
) -> Result<Option<Value>, SubstituteError> {
    for field in ["labels", "annotations"] {
        if string_at(obj, &["metadata", field, DISABLED_KEY]) == Some("disabled") {
            return Ok(None);
        }
    }
    let vars: Vec<(&str, String)> = pb
        .substitute
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.replace('\n', "")))
        .collect();
    if vars.is_empty() && !pb.always {
        return Ok(None);
    }
    if let Some((bad, _)) = vars.iter().find(|(k, _)| !validate_var_name(k)) {
        return Err(SubstituteError::InvalidVarName((*bad).to_owned()));
    }
    let text =
        crate::yaml::try_emit_kustomize(obj).map_err(|e| SubstituteError::Yaml(e.to_string()))?;
    let out = crate::envsubst::eval(text.as_bytes(), strict, |name| {
        vars.iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_bytes())
    })?;
    let out = String::from_utf8(out)
        .map_err(|_| SubstituteError::Yaml("substituted text is not valid UTF-8".into()))?;
    let v = crate::yaml::parse_yaml_go_v2(&out).map_err(|e| SubstituteError::Yaml(e.go_text()))?;
    let v = json_numbers(v).ok_or_else(|| {
        SubstituteError::Yaml("json: unsupported value: an infinite or NaN float".into())
    })?;
    Ok(Some(match v {
        Value::Map(m) => Value::Map(m),
        // `json.Unmarshal` of anything else into a map leaves it empty (or fails).
        _ => Value::Map(Map::default()),
    }))
}

/// Every number as `encoding/json` decodes it into `interface{}`: a float64.
fn json_numbers(v: Value) -> Option<Value> {
    Some(match v {
        Value::Number(n) => {
            let f = match n {
                Number::Int(i) => i as f64,
                Number::UInt(u) => u as f64,
                Number::Float(f) => f,
            };
            if !f.is_finite() {
                return None;
            }
            Value::Number(Number::Float(f))
        }
        Value::Seq(s) => Value::Seq(s.into_iter().map(json_numbers).collect::<Option<_>>()?),
        Value::Map(m) => {
            let mut out = Map::default();
            for (k, v) in m {
                out.insert(k, json_numbers(v)?);
            }
            Value::Map(out)
        }
        v => v,
    })
}

fn metadata_map<'v>(obj: &'v mut Value, field: &str) -> Option<&'v mut Map> {
    let m = obj.as_map_mut()?;
    let meta = m
        .entry("metadata".to_owned())
        .or_insert_with(|| Value::Map(Map::default()));
    if !matches!(meta, Value::Map(_)) {
        *meta = Value::Map(Map::default());
    }
    let f = meta
        .as_map_mut()?
        .entry(field.to_owned())
        .or_insert_with(|| Value::Map(Map::default()));
    if !matches!(f, Value::Map(_)) {
        *f = Value::Map(Map::default());
    }
    f.as_map_mut()
}

/// Sets `kustomize.toolkit.fluxcd.io/name` and `.../namespace` labels (overwriting).
pub fn set_owner_labels(obj: &mut Value, name: &str, namespace: &str) {
    if let Some(labels) = metadata_map(obj, "labels") {
        labels.insert(format!("{GROUP}/name"), name.into());
        labels.insert(format!("{GROUP}/namespace"), namespace.into());
    }
}

/// `ssautil.SetCommonMetadata`: `cm`'s labels and annotations set on every object's
/// `metadata` (only there), overriding what is set.
pub fn set_common_metadata(objects: &mut [Value], cm: &CommonMetadata) {
    for o in objects.iter_mut() {
        for (field, pairs) in [("labels", &cm.labels), ("annotations", &cm.annotations)] {
            let has = o
                .get_path(&["metadata", field])
                .and_then(Value::as_map)
                .is_some_and(|m| !m.is_empty());
            if pairs.is_empty() && !has {
                continue;
            }
            if let Some(m) = metadata_map(o, field) {
                for (k, v) in pairs {
                    m.insert(k.clone(), v.as_str().into());
                }
            }
        }
    }
}

/// The text of a scalar as kyaml's `GetValue` gives it.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match *n {
            Number::Int(i) => i.to_string(),
            Number::UInt(u) => u.to_string(),
            Number::Float(f) => crate::go::number::json_float(f).unwrap_or_default(),
        },
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

fn string_map(obj: &Value, field: &str) -> Vec<(String, String)> {
    match obj.get(field) {
        Some(Value::Map(m)) => m.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect(),
        _ => Vec::new(),
    }
}

/// A value written as an untagged plain scalar and read back (go-yaml v3's resolver), as
/// the masking step's rebuilt `stringData` is.
fn plain_value(s: &str) -> Value {
    if s.trim() != s || s.contains('\n') {
        return Value::String(s.to_owned());
    }
    match crate::yaml::go_v3_plain_tag(s) {
        "!!str" => Value::String(s.to_owned()),
        "!!null" => Value::Null,
        _ => crate::yaml::parse_kustomize_docs(s)
            .ok()
            .and_then(|d| d.into_iter().next())
            .unwrap_or_else(|| Value::String(s.to_owned())),
    }
}

fn decode_base64(s: &str) -> Result<Vec<u8>, MaskError> {
    // Go's StdEncoding skips CR and LF and accepts non-zero trailing bits.
    let clean: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
    );
    engine.decode(clean.as_bytes()).map_err(|e| {
        MaskError::Base64(match e {
            base64::DecodeError::InvalidByte(i, _) => i,
            base64::DecodeError::InvalidLastSymbol(i, _) => i,
            _ => clean.len() / 4 * 4,
        })
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Masks a SOPS-encrypted Secret as `flux build` does (nothing for other kinds). A
/// Secret whose YAML holds `sops:` and `mac: ENC[` loses its `sops` field and has every
/// `data` / `stringData` value masked; in others, only values that hold `sops` and `ENC[`
/// are. `data` and `stringData` are rewritten either way (an empty `data` is removed,
/// `stringData` values are read back as plain YAML scalars).
///
/// # Errors
/// [`MaskError::Base64`] for a `data` value that is not base64 (outside whole-file SOPS
/// Secrets).
pub fn mask_sops(obj: &mut Value) -> Result<(), MaskError> {
    if obj.get("kind").and_then(Value::as_str) != Some("Secret") {
        return Ok(());
    }
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
    let sops_mess = b64(SOPS_MASK.as_bytes());
    let mut data = string_map(obj, "data");
    let mut string_data = string_map(obj, "stringData");
    let text = crate::yaml::emit_kustomize(obj);
    if text.contains("sops:") && text.contains("mac: ENC[") {
        if let Some(m) = obj.as_map_mut() {
            m.shift_remove("sops");
        }
        let ty = obj.get("type").map_or(Some("Opaque"), Value::as_str);
        if ty == Some("kubernetes.io/dockerconfigjson") {
            let json = format!("{{\"mask\":\"{SOPS_MASK}\"}}");
            data.iter_mut().for_each(|(_, v)| *v = b64(json.as_bytes()));
            string_data.iter_mut().for_each(|(_, v)| *v = json.clone());
        } else {
            data.iter_mut().for_each(|(_, v)| *v = sops_mess.clone());
            string_data
                .iter_mut()
                .for_each(|(_, v)| *v = SOPS_MASK.to_owned());
        }
    } else {
        for (_, v) in data.iter_mut() {
            let d = decode_base64(v)?;
            if contains(&d, b"sops") && contains(&d, b"ENC[") {
                *v = sops_mess.clone();
            }
        }
        for (_, v) in string_data.iter_mut() {
            if v.contains("sops") && v.contains("ENC[") {
                *v = sops_mess.clone();
            }
        }
    }
    let Some(m) = obj.as_map_mut() else {
        return Ok(());
    };
    m.shift_remove("data");
    if !data.is_empty() {
        let mut dm = Map::default();
        for (k, v) in data {
            dm.insert(k, Value::String(v));
        }
        m.insert("data".into(), Value::Map(dm));
    }
    if !string_data.is_empty() {
        let mut sm = Map::default();
        for (k, v) in string_data {
            sm.insert(k, plain_value(&v));
        }
        m.insert("stringData".into(), Value::Map(sm));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Value {
        crate::yaml::parse_kustomize_docs(s).unwrap().remove(0)
    }

    fn pb(vars: &[(&str, &str)]) -> PostBuild {
        PostBuild {
            substitute: Some(
                vars.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            always: false,
        }
    }

    #[test]
    fn substitution_goes_through_json_and_yaml_1_1() {
        let o = doc(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  n: \"${n}\"\n  mode: \"${mode}\"\n  yes: \"${y}\"\n  empty: \"${e}\"\n  unset: a${nope}b\n",
        );
        let out = substitute(
            &o,
            &pb(&[("n", "3"), ("mode", "0755"), ("y", "yes"), ("e", "")]),
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            crate::yaml::emit_kustomize(&out),
            "apiVersion: v1\ndata:\n  empty: null\n  mode: 493\n  \"n\": 3\n  unset: ab\n  \"yes\": true\nkind: ConfigMap\nmetadata:\n  name: c\n"
        );
    }

    #[test]
    fn substitution_opt_out_strategy_and_errors() {
        let o = doc(
            "kind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  a: ${x}\n",
        );
        assert_eq!(substitute(&o, &pb(&[("x", "1")]), false).unwrap(), None);
        let o = doc("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${x:=d}\n");
        assert_eq!(substitute(&o, &PostBuild::default(), false).unwrap(), None);
        let always = PostBuild {
            substitute: None,
            always: true,
        };
        let out = substitute(&o, &always, false).unwrap().unwrap();
        assert_eq!(out.get_path(&["data", "a"]), Some(&Value::from("d")));
        assert_eq!(
            substitute(&o, &pb(&[("bad-name", "1")]), false)
                .unwrap_err()
                .to_string(),
            "'bad-name' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
        );
        let o = doc("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${u}\n");
        assert!(substitute(&o, &pb(&[("x", "1")]), true).is_err());
        let o = doc("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${x}\n");
        assert!(matches!(
            substitute(&o, &pb(&[("x", "a: b")]), false),
            Err(SubstituteError::Yaml(_))
        ));
        // Newlines are removed from values.
        let out = substitute(&o, &pb(&[("x", "a\nb")]), false)
            .unwrap()
            .unwrap();
        assert_eq!(out.get_path(&["data", "a"]), Some(&Value::from("ab")));
    }

    #[test]
    fn var_names() {
        assert!(validate_var_name("_a1"));
        assert!(validate_var_name("Abc"));
        assert!(!validate_var_name("1st"));
        assert!(!validate_var_name("a-b"));
        assert!(!validate_var_name(""));
    }

    #[test]
    fn whole_file_sops_secrets_are_masked() {
        let mut o = doc(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: RU5DW2FiY10=\nstringData:\n  b: ENC[x]\nsops:\n  mac: ENC[abc]\n",
        );
        mask_sops(&mut o).unwrap();
        assert_eq!(
            crate::yaml::emit_kustomize(&o),
            "apiVersion: v1\ndata:\n  a: KipTT1BTKio=\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  b: '**SOPS**'\n"
        );
        let mut o = doc(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata:\n  name: s\ndata:\n  .dockerconfigjson: ENC[x]\nsops:\n  mac: ENC[abc]\n",
        );
        mask_sops(&mut o).unwrap();
        assert_eq!(
            o.get_path(&["data", ".dockerconfigjson"]),
            Some(&Value::from("eyJtYXNrIjoiKipTT1BTKioifQ=="))
        );
    }

    #[test]
    fn other_secrets_mask_only_encrypted_values_and_reread_string_data() {
        let enc = base64::engine::general_purpose::STANDARD.encode("sops ENC[x]");
        let mut o = doc(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: {enc}\n  b: cGxhaW4=\nstringData:\n  c: \"1\"\n  d: sops ENC[y]\n"
        ));
        mask_sops(&mut o).unwrap();
        assert_eq!(
            o.get_path(&["data", "a"]),
            Some(&Value::from("KipTT1BTKio="))
        );
        assert_eq!(o.get_path(&["data", "b"]), Some(&Value::from("cGxhaW4=")));
        assert_eq!(
            o.get_path(&["stringData", "c"]),
            Some(&Value::Number(Number::Int(1)))
        );
        assert_eq!(
            o.get_path(&["stringData", "d"]),
            Some(&Value::from("KipTT1BTKio="))
        );
        let mut bad =
            doc("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: '!!!'\n");
        assert!(mask_sops(&mut bad).is_err());
        let mut cm =
            doc("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  a: '!!!'\n");
        let before = cm.clone();
        mask_sops(&mut cm).unwrap();
        assert_eq!(cm, before);
    }

    #[test]
    fn owner_labels_then_common_metadata_on_metadata_only() {
        let mut o = doc(
            "kind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    kustomize.toolkit.fluxcd.io/name: old\n",
        );
        set_owner_labels(&mut o, "apps", "");
        assert_eq!(
            o.get_path(&["metadata", "labels", "kustomize.toolkit.fluxcd.io/name"]),
            Some(&Value::from("apps"))
        );
        assert_eq!(
            o.get_path(&[
                "metadata",
                "labels",
                "kustomize.toolkit.fluxcd.io/namespace"
            ]),
            Some(&Value::from(""))
        );
        let mut objs = vec![o];
        let cm = CommonMetadata {
            labels: vec![("kustomize.toolkit.fluxcd.io/name".into(), "x".into())],
            annotations: vec![],
        };
        set_common_metadata(&mut objs, &cm);
        assert_eq!(
            objs[0].get_path(&["metadata", "labels", "kustomize.toolkit.fluxcd.io/name"]),
            Some(&Value::from("x"))
        );
        assert_eq!(objs[0].get_path(&["metadata", "annotations"]), None);
    }
}
