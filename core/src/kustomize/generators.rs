//! ConfigMap and Secret generators, and the name-suffix hash kustomize gives them.

use base64::Engine as _;
use sha2::Digest as _;

use super::loader::Loader;
use super::resource::{Behavior, Resource};
use super::types::{GeneratorArgs, GeneratorOptions};
use crate::yaml::{Map, Value};

/// `MergeGlobalOptionsIntoLocal`: the kustomization's `generatorOptions` under a
/// generator's own `options`.
pub(crate) fn merge_options(
    local: Option<&GeneratorOptions>,
    global: Option<&GeneratorOptions>,
) -> Option<GeneratorOptions> {
    let Some(global) = global else {
        return local.cloned();
    };
    let mut o = local.cloned().unwrap_or_default();
    for (k, v) in &global.labels {
        if !o.labels.iter().any(|(lk, _)| lk == k) {
            o.labels.push((k.clone(), v.clone()));
        }
    }
    for (k, v) in &global.annotations {
        if !o.annotations.iter().any(|(lk, _)| lk == k) {
            o.annotations.push((k.clone(), v.clone()));
        }
    }
    if global.disable_name_suffix_hash == Some(true) {
        o.disable_name_suffix_hash = Some(true);
    }
    if global.immutable == Some(true) {
        o.immutable = Some(true);
    }
    Some(o)
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

fn is_env_var_name(k: &str) -> Result<(), String> {
    let ok = !k.is_empty()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
        && !k.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{k}\" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
        ))
    }
}

fn is_config_map_key(k: &str) -> Result<(), String> {
    let ok = !k.is_empty()
        && k.len() <= 253
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
        && k != "."
        && k != ".."
        && !k.starts_with("..");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{k}\" is not a valid key name: a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
        ))
    }
}

/// Key/value pairs from env files, then literals, then files (kustomize's order).
fn load_pairs(ldr: &Loader<'_>, args: &GeneratorArgs) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    for p in &args.envs {
        let content = ldr
            .load(p)
            .map_err(|e| format!("env source files: [{}]: {e}", args.envs.join(" ")))?;
        let text = content.as_slice();
        for (n, raw_line) in text.split(|b| *b == b'\n').enumerate() {
            let mut line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
            if n == 0 {
                line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            }
            let line = std::str::from_utf8(line)
                .map_err(|_| format!("line {n} has invalid utf8 bytes"))?;
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = match line.split_once('=') {
                Some((k, v)) => (k, v),
                None => (line, ""),
            };
            is_env_var_name(k)?;
            pairs.push((k.to_owned(), v.as_bytes().to_vec()));
        }
    }
    for lit in &args.literals {
        let Some((k, v)) = lit.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!(
                "literal sources [{}]: invalid literal source {lit}, expected key=value",
                args.literals.join(" ")
            ));
        };
        pairs.push((k.to_owned(), remove_quotes(v).as_bytes().to_vec()));
    }
    for src in &args.files {
        let (key, path) = super::remote::parse_file_source(src)
            .map_err(|e| format!("file sources: [{}]: {e}", args.files.join(" ")))?;
        let content = ldr
            .load(path)
            .map_err(|e| format!("file sources: [{}]: {e}", args.files.join(" ")))?;
        pairs.push((key, content));
    }
    Ok(pairs)
}

fn validated(name: &str, pairs: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut seen = std::collections::HashSet::new();
    for (k, _) in &pairs {
        is_config_map_key(k)?;
        if !seen.insert(k.clone()) {
            return Err(format!("configmap {name} illegally repeats the key `{k}`"));
        }
    }
    let mut pairs = pairs;
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

/// kustomize's base64 with a newline after every 70 characters when longer than one line.
pub(crate) fn encode_base64(data: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(data);
    let lines = enc.len() / 70 + 1;
    if lines <= 1 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + lines);
    for chunk in enc.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out
}

fn base(kind: &str, args: &GeneratorArgs) -> Result<Map, String> {
    if args.name.is_empty() {
        return Err("a configmap must have a name".into());
    }
    let mut meta = Map::default();
    meta.insert("name".into(), args.name.clone().into());
    if !args.namespace.is_empty() {
        meta.insert("namespace".into(), args.namespace.clone().into());
    }
    let mut m = Map::default();
    m.insert("apiVersion".into(), "v1".into());
    m.insert("kind".into(), kind.into());
    m.insert("metadata".into(), Value::Map(meta));
    Ok(m)
}

fn finish(
    mut m: Map,
    args: &GeneratorArgs,
    opts: Option<&GeneratorOptions>,
) -> Result<Resource, String> {
    if let Some(o) = opts {
        let meta =
            super::resource::ensure_map(m.entry("metadata".to_owned()).or_insert(Value::Null));
        let mut labels: Vec<_> = o.labels.clone();
        labels.sort();
        for (field, pairs) in [
            ("labels", labels),
            ("annotations", {
                let mut a = o.annotations.clone();
                a.sort();
                a
            }),
        ] {
            if pairs.is_empty() {
                continue;
            }
            let slot =
                super::resource::ensure_map(meta.entry(field.to_owned()).or_insert(Value::Null));
            for (k, v) in pairs {
                slot.insert(k, v.into());
            }
        }
        if o.immutable == Some(true) {
            m.insert("immutable".into(), Value::Bool(true));
        }
    }
    let mut r = Resource::new(Value::Map(m));
    r.generated = true;
    r.needs_hash = opts.is_none_or(|o| o.disable_name_suffix_hash != Some(true));
    r.behavior = Behavior::parse(&args.behavior);
    Ok(r)
}

/// Generates a ConfigMap.
pub(crate) fn config_map(
    ldr: &Loader<'_>,
    args: &GeneratorArgs,
    opts: Option<&GeneratorOptions>,
) -> Result<Resource, String> {
    let mut m = base("ConfigMap", args)?;
    let pairs = validated(
        &args.name,
        load_pairs(ldr, args).map_err(|e| format!("loading KV pairs: {e}"))?,
    )?;
    let mut data = Map::default();
    let mut binary = Map::default();
    for (k, v) in pairs {
        match String::from_utf8(v) {
            Ok(s) => {
                data.insert(k, s.into());
            }
            Err(e) => {
                binary.insert(k, encode_base64(e.as_bytes()).into());
            }
        }
    }
    if !data.is_empty() {
        m.insert("data".into(), Value::Map(data));
    }
    if !binary.is_empty() {
        m.insert("binaryData".into(), Value::Map(binary));
    }
    finish(m, args, opts)
}

/// Generates a Secret.
pub(crate) fn secret(
    ldr: &Loader<'_>,
    args: &GeneratorArgs,
    opts: Option<&GeneratorOptions>,
) -> Result<Resource, String> {
    let mut m = base("Secret", args)?;
    let t = if args.secret_type.is_empty() {
        "Opaque"
    } else {
        &args.secret_type
    };
    m.insert("type".into(), t.into());
    let pairs = validated(
        &args.name,
        load_pairs(ldr, args).map_err(|e| format!("loading KV pairs: {e}"))?,
    )?;
    let mut data = Map::default();
    for (k, v) in pairs {
        data.insert(k, encode_base64(&v).into());
    }
    m.insert("data".into(), Value::Map(data));
    finish(m, args, opts)
}

pub(crate) fn hash_encode(hex: &str) -> String {
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

pub(crate) fn sha256_hex(s: &str) -> String {
    let d = sha2::Sha256::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The value kustomize hashes at a path: a scalar's text, a collection's JSON form, or
/// `""` when missing.
fn node_value(obj: &Value, path: &[&str]) -> Value {
    match obj.get_path(path) {
        None => Value::String(String::new()),
        Some(v @ (Value::Map(_) | Value::Seq(_))) => v.clone(),
        Some(v) => Value::String(super::resource::scalar_string(v)),
    }
}

/// The name-suffix hash of a resource (kustomize's `Hasher.Hash`).
pub(crate) fn hash(r: &Resource) -> Result<String, String> {
    let obj = &r.obj;
    let encoded = match r.kind() {
        "ConfigMap" => {
            let mut m = Map::default();
            m.insert("kind".into(), "ConfigMap".into());
            // kustomize looks the name up as one literal key "metadata/name", which no
            // object has: the name never enters the hash.
            m.insert("name".into(), node_value(obj, &["metadata/name"]));
            m.insert("data".into(), node_value(obj, &["data"]));
            let bd = node_value(obj, &["binaryData"]);
            if matches!(bd, Value::Map(_)) {
                m.insert("binaryData".into(), bd);
            }
            crate::go::json::to_string(&Value::Map(m))
        }
        "Secret" => {
            let mut m = Map::default();
            m.insert("kind".into(), "Secret".into());
            m.insert("type".into(), node_value(obj, &["type"]));
            // kustomize looks the name up as one literal key "metadata/name", which no
            // object has: the name never enters the hash.
            m.insert("name".into(), node_value(obj, &["metadata/name"]));
            m.insert("data".into(), node_value(obj, &["data"]));
            let sd = node_value(obj, &["stringData"]);
            if matches!(sd, Value::Map(_)) {
                m.insert("stringData".into(), sd);
            }
            crate::go::json::to_string(&Value::Map(m))
        }
        // kustomize marshals its yaml.Node: exact while the object is as read (and the
        // build has added no bookkeeping annotations to it); otherwise the object's JSON
        // stands in, a content hash all the same.
        _ => match &r.hash_source {
            Some(src)
                if src.1 == *obj
                    && r.origin.is_none()
                    && super::jsonpatch::build_annotations(r).is_empty() =>
            {
                Ok(src.0.clone())
            }
            _ => crate::go::json::to_string(obj),
        },
    }
    .map_err(|e| e.to_string())?;
    Ok(hash_encode(&sha256_hex(&encoded)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lines_like_kustomize() {
        assert_eq!(encode_base64(b"abc"), "YWJj");
        let long = vec![b'x'; 60];
        let e = encode_base64(&long);
        assert_eq!(e.lines().next().map(str::len), Some(70));
        assert!(e.ends_with('\n'));
    }

    #[test]
    fn hash_alphabet_avoids_confusable_characters() {
        assert_eq!(hash_encode("0123abcdef99"), "gh2kmbcdtf");
    }
}
