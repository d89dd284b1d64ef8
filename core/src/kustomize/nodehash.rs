//! kustomize's content hash of a resource that is neither a ConfigMap nor a Secret:
//! `json.Marshal` of the go-yaml v3 `yaml.Node` kustomize holds (`hasher.Hasher.Hash`).
//!
//! That JSON shows the node as go-yaml v3 decoded it: kind, style, tag, value, anchor,
//! children and the line and column in the document. kustomize's reader
//! (`kio.ByteReader`) decodes each document of a file on its own, after splitting the
//! file on `\n---...\n` lines, so lines count from the document's start. This module
//! rebuilds that JSON from go-yaml's own events for the documents of a file. It does not
//! keep comments (go-yaml puts them in the node), so a document with comments hashes
//! differently from kustomize's.

use crate::yaml::goparse::{Dialect, GoEvent, GoEventKind, GoEventParser, GoTag};
use saphyr_parser::ScalarStyle;

/// go-yaml v3's `Kind` values.
const SEQUENCE: u32 = 2;
const MAPPING: u32 = 4;
const SCALAR: u32 = 8;
const ALIAS: u32 = 16;
/// go-yaml v3's `Style` bits.
const TAGGED: u32 = 1;
const DOUBLE_QUOTED: u32 = 2;
const SINGLE_QUOTED: u32 = 4;
const LITERAL: u32 = 8;
const FOLDED: u32 = 16;
const FLOW: u32 = 32;

/// kio's `splitDocuments`: the documents of a file (`\r\n` already made `\n`), each but
/// the last with the line break the split took; `None` for kio's "invalid document
/// separator" error.
fn split_documents(s: &str) -> Option<Vec<String>> {
    let mut docs = Vec::new();
    if s.is_empty() {
        return Some(docs);
    }
    let mut prev = 0;
    let mut search = 0;
    // `\n---.*\n`: a line starting with `---`, up to the next line break.
    while let Some(i) = s[search..].find("\n---").map(|i| i + search) {
        let Some(end) = s[i + 1..].find('\n').map(|e| e + i + 2) else {
            break;
        };
        let sep = &s[i..end];
        let rest = sep[4..].trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            return None;
        }
        docs.push(format!("{}\n", &s[prev..i]));
        prev = end;
        search = end - 1;
    }
    docs.push(s[prev..].to_owned());
    Some(docs)
}

/// The `json.Marshal(node.YNode())` text of each resource document of a file, in the
/// order kustomize reads them (`kio.FromBytes`: empty documents skipped, only the first
/// document of a piece read). `None` where kustomize's reader would fail.
pub(crate) fn document_node_jsons(text: &str) -> Option<Vec<String>> {
    let text = text.replace("\r\n", "\n");
    let mut out = Vec::new();
    for doc in split_documents(&text)? {
        if let Some(json) = first_document_json(&doc)? {
            out.push(json);
        }
    }
    Some(out)
}

/// A node being built: its JSON header fields and children.
struct Open {
    kind: u32,
    style: u32,
    tag: String,
    anchor: String,
    line: usize,
    column: usize,
    children: Vec<String>,
}

fn short_tag(t: &GoTag) -> String {
    let full = t.full();
    match full.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => full,
    }
}

/// `Some(tag)` when the event has a tag other than `!` (go-yaml v3 then marks the node
/// `TaggedStyle`).
fn explicit_tag(tag: &Option<Box<GoTag>>) -> Option<String> {
    tag.as_ref()
        .map(|t| t.full())
        .filter(|t| !t.is_empty() && t != "!")
        .and_then(|_| tag.as_deref().map(short_tag))
}

#[allow(clippy::too_many_arguments)]
fn node_json(
    kind: u32,
    style: u32,
    tag: &str,
    value: &str,
    anchor: &str,
    alias: Option<&str>,
    content: Option<&[String]>,
    line: usize,
    column: usize,
) -> String {
    let mut s = String::new();
    s.push_str(&format!("{{\"Kind\":{kind},\"Style\":{style},\"Tag\":"));
    crate::go::json::write_str(&mut s, tag, true);
    s.push_str(",\"Value\":");
    crate::go::json::write_str(&mut s, value, true);
    s.push_str(",\"Anchor\":");
    crate::go::json::write_str(&mut s, anchor, true);
    s.push_str(",\"Alias\":");
    s.push_str(alias.unwrap_or("null"));
    s.push_str(",\"Content\":");
    match content {
        // A nil slice.
        None | Some([]) => s.push_str("null"),
        Some(c) => {
            s.push('[');
            s.push_str(&c.join(","));
            s.push(']');
        }
    }
    s.push_str(&format!(
        ",\"HeadComment\":\"\",\"LineComment\":\"\",\"FootComment\":\"\",\"Line\":{line},\"Column\":{column}}}"
    ));
    s
}

/// The JSON of the root node of the first document in `doc`: `Some(None)` for an empty
/// or null document (kio skips it), `None` where go-yaml fails or the JSON would be
/// cyclic.
fn first_document_json(doc: &str) -> Option<Option<String>> {
    let mut parser = GoEventParser::new(doc, Dialect::V3);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    let mut root: Option<(String, u32, String)> = None;
    loop {
        // A parse error: kustomize's reader fails too.
        let GoEvent {
            kind, start_mark, ..
        } = parser.next_event().ok()??;
        let (line, column) = (start_mark.line + 1, start_mark.column + 1);
        let done = match kind {
            GoEventKind::StreamStart | GoEventKind::DocumentStart { .. } => None,
            GoEventKind::StreamEnd | GoEventKind::DocumentEnd { .. } => {
                return Some(root.and_then(non_null));
            }
            GoEventKind::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => {
                let mut st = match style {
                    ScalarStyle::Plain => 0,
                    ScalarStyle::DoubleQuoted => DOUBLE_QUOTED,
                    ScalarStyle::SingleQuoted => SINGLE_QUOTED,
                    ScalarStyle::Literal => LITERAL,
                    ScalarStyle::Folded => FOLDED,
                };
                let t = match explicit_tag(&tag) {
                    Some(t) => {
                        st |= TAGGED;
                        t
                    }
                    None if style != ScalarStyle::Plain => "!!str".to_owned(),
                    None if value == "<<" => "!!merge".to_owned(),
                    None => crate::yaml::go_v3_plain_tag(&value).to_owned(),
                };
                if t == "!!merge" {
                    // kio's `DeAnchor` applies merge keys; not followed here.
                    return None;
                }
                // `DeAnchor` clears the anchors.
                let json = node_json(SCALAR, st, &t, &value, "", None, None, line, column);
                if let Some(a) = anchor {
                    anchors.insert(a.into_owned(), Some(json.clone()));
                }
                Some((json, SCALAR, t))
            }
            GoEventKind::Alias { anchor } => {
                // kio's `DeAnchor` puts a copy of the anchored node in the alias's place.
                // An alias to an unknown or unfinished node: go-yaml fails, or the copy
                // would be cyclic.
                let target = anchors.get(anchor.as_ref())?.clone()?;
                Some((target, ALIAS, String::new()))
            }
            GoEventKind::SequenceStart {
                anchor, tag, flow, ..
            } => open(
                &mut stack,
                &mut anchors,
                (SEQUENCE, "!!seq"),
                anchor,
                &tag,
                flow,
                (line, column),
            ),
            GoEventKind::MappingStart {
                anchor, tag, flow, ..
            } => open(
                &mut stack,
                &mut anchors,
                (MAPPING, "!!map"),
                anchor,
                &tag,
                flow,
                (line, column),
            ),
            GoEventKind::SequenceEnd | GoEventKind::MappingEnd => {
                let o = stack.pop()?;
                let json = node_json(
                    o.kind,
                    o.style,
                    &o.tag,
                    "",
                    "",
                    None,
                    Some(&o.children),
                    o.line,
                    o.column,
                );
                if !o.anchor.is_empty() {
                    anchors.insert(o.anchor.clone(), Some(json.clone()));
                }
                Some((json, o.kind, o.tag))
            }
        };
        if let Some(node) = done {
            match stack.last_mut() {
                Some(parent) => parent.children.push(node.0),
                None => root = Some(node),
            }
        }
    }
}

/// Starts a collection node (go-yaml registers its anchor now; an alias to it before it
/// ends would make the JSON cyclic).
fn open(
    stack: &mut Vec<Open>,
    anchors: &mut std::collections::HashMap<String, Option<String>>,
    (kind, default): (u32, &str),
    anchor: Option<std::borrow::Cow<'_, str>>,
    tag: &Option<Box<GoTag>>,
    flow: bool,
    (line, column): (usize, usize),
) -> Option<(String, u32, String)> {
    let mut style = if flow { FLOW } else { 0 };
    let tag = match explicit_tag(tag) {
        Some(t) => {
            style |= TAGGED;
            t
        }
        None => default.to_owned(),
    };
    let anchor = anchor.map(|a| a.into_owned()).unwrap_or_default();
    if !anchor.is_empty() {
        anchors.insert(anchor.clone(), None);
    }
    stack.push(Open {
        kind,
        style,
        tag,
        anchor,
        line,
        column,
        children: Vec::new(),
    });
    None
}

/// kio drops a document that is empty or null (`yaml.IsMissingOrNull`).
fn non_null((json, kind, tag): (String, u32, String)) -> Option<String> {
    (!(kind == SCALAR && tag == "!!null")).then_some(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON and hash kustomize v5.7.1 computes (`json.Marshal(node.YNode())`,
    /// `hasher.Hasher.Hash`), from a Go program linking kyaml v0.20.1.
    #[test]
    fn node_json_matches_go_yaml_v3() {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: init\n  annotations:\n    internal.config.kubernetes.io/needsHashSuffix: enabled\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n";
        let docs = document_node_jsons(text).expect("parses");
        assert_eq!(docs.len(), 1);
        let expected = r#"{"Kind":4,"Style":0,"Tag":"!!map","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":8,"Style":0,"Tag":"!!str","Value":"apiVersion","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":1,"Column":1},{"Kind":8,"Style":0,"Tag":"!!str","Value":"batch/v1","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":1,"Column":13},{"Kind":8,"Style":0,"Tag":"!!str","Value":"kind","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":2,"Column":1},{"Kind":8,"Style":0,"Tag":"!!str","Value":"Job","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":2,"Column":7},{"Kind":8,"Style":0,"Tag":"!!str","Value":"metadata","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":3,"Column":1},{"Kind":4,"Style":0,"Tag":"!!map","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":8,"Style":0,"Tag":"!!str","Value":"name","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":4,"Column":3},{"Kind":8,"Style":0,"Tag":"!!str","Value":"init","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":4,"Column":9},{"Kind":8,"Style":0,"Tag":"!!str","Value":"annotations","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":5,"Column":3},{"Kind":4,"Style":0,"Tag":"!!map","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":8,"Style":0,"Tag":"!!str","Value":"internal.config.kubernetes.io/needsHashSuffix","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":6,"Column":5},{"Kind":8,"Style":0,"Tag":"!!str","Value":"enabled","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":6,"Column":52}],"HeadComment":"","LineComment":"","FootComment":"","Line":6,"Column":5}],"HeadComment":"","LineComment":"","FootComment":"","Line":4,"Column":3},{"Kind":8,"Style":0,"Tag":"!!str","Value":"spec","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":7,"Column":1},{"Kind":4,"Style":0,"Tag":"!!map","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":8,"Style":0,"Tag":"!!str","Value":"template","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":8,"Column":3},{"Kind":4,"Style":0,"Tag":"!!map","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":8,"Style":0,"Tag":"!!str","Value":"spec","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":9,"Column":5},{"Kind":4,"Style":0,"Tag":"!!map","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":8,"Style":0,"Tag":"!!str","Value":"containers","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":10,"Column":7},{"Kind":2,"Style":0,"Tag":"!!seq","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":4,"Style":0,"Tag":"!!map","Value":"","Anchor":"","Alias":null,"Content":[{"Kind":8,"Style":0,"Tag":"!!str","Value":"name","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":11,"Column":9},{"Kind":8,"Style":0,"Tag":"!!str","Value":"c","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":11,"Column":15},{"Kind":8,"Style":0,"Tag":"!!str","Value":"image","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":12,"Column":9},{"Kind":8,"Style":0,"Tag":"!!str","Value":"x","Anchor":"","Alias":null,"Content":null,"HeadComment":"","LineComment":"","FootComment":"","Line":12,"Column":16}],"HeadComment":"","LineComment":"","FootComment":"","Line":11,"Column":9}],"HeadComment":"","LineComment":"","FootComment":"","Line":11,"Column":7}],"HeadComment":"","LineComment":"","FootComment":"","Line":10,"Column":7}],"HeadComment":"","LineComment":"","FootComment":"","Line":9,"Column":5}],"HeadComment":"","LineComment":"","FootComment":"","Line":8,"Column":3}],"HeadComment":"","LineComment":"","FootComment":"","Line":1,"Column":1}"#;
        assert_eq!(docs[0], expected);
    }
    /// Styles, tags, anchors, aliases, empty collections, escaping and documents after a
    /// `---` line (lines count from each document): the hashes kustomize v5.7.1 gives
    /// (`hasher.Hasher.Hash` on `kio.FromBytes`' nodes).
    #[test]
    fn node_hashes_match_kustomize() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"s\"\n  labels: {a: 'b', c: [1, 2.5, true, null, 2001-12-14]}\nspec:\n  x: &anc\n    y: !!str 3\n    z: |\n      text\n  w: *anc\n  v: >-\n    folded\n  e: []\n  f: {}\n---\n# separator comment-free\n---   \napiVersion: v1\nkind: Service\nmetadata:\n  name: t\n  tagged: !custom value\n  uni: \"héllo <b> & ü\"\n";
        let docs = document_node_jsons(text).expect("parses");
        let hashes: Vec<String> = docs
            .iter()
            .map(|j| {
                super::super::generators::hash_encode(&super::super::generators::sha256_hex(j))
            })
            .collect();
        assert_eq!(hashes, ["4tkb54555k", "4hd7ggc2fc"]);
        // A merge key, or an alias to an unfinished node, is not followed.
        assert_eq!(document_node_jsons("a: &x\n  b: 1\nc:\n  <<: *x\n"), None);
        assert_eq!(document_node_jsons("a: &x\n  b: *x\n"), None);
        // An invalid separator line is kio's error.
        assert_eq!(document_node_jsons("a: 1\n--- b\n"), None);
    }
}
