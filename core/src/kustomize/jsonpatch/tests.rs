use super::*;
use crate::kustomize::resource::{Id, Resource};
use crate::yaml::emit_kustomize;

/// What a case must give: the exact output, error text, or panic message.
#[derive(Debug)]
enum Want {
    Out(&'static str),
    Fails(&'static str),
    Panics(&'static str),
}
use Want::{Fails, Out, Panics};

fn check(name: &str, got: Result<String, Failure>, want: &Want) {
    match (want, got) {
        (Out(w), Ok(g)) => assert_eq!(g, *w, "{name}"),
        (Fails(w), Err(Failure::Error(g))) => assert_eq!(g, *w, "{name}"),
        (Panics(w), Err(Failure::Panic(g))) => assert_eq!(g, *w, "{name}"),
        (w, g) => panic!("{name}: want {w:?}, got {g:?}"),
    }
}

/// (name, document, patch, expected) for [`apply_json`]: the Go library's results,
/// recorded with `tools/jsonpatch-ref lib`.
const LIB_CASES: &[(&str, &str, &str, Want)] = &[
    (
        "replace of a missing key adds it",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"/b","value":2}]"#,
        Out(r#"{"a":[1,2],"b":2,"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "replace past the end of a list",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"/a/2","value":0}]"#,
        Fails(r#"replace operation does not apply: doc is missing key: /a/2: missing value"#),
    ),
    (
        "replace with a negative index",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"/a/-2","value":0}]"#,
        Out(r#"{"a":[0,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "replace without a value sets null",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"/s"}]"#,
        Out(r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":null}"#),
    ),
    (
        "replace of the whole document",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"","value":{"z":1}}]"#,
        Out(r#"{"z":1}"#),
    ),
    (
        "replace of the whole document with a list",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"","value":[1]},{"op":"add","path":"/0","value":0}]"#,
        Out(r#"[0,1]"#),
    ),
    (
        "replace of the whole document with a scalar",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"","value":5}]"#,
        Fails(r#"replace operation value must be object or array: %!w(<nil>)"#),
    ),
    (
        "replace with a path that is not a string",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":5,"value":1}]"#,
        Fails(
            r#"replace operation failed to decode path: json: cannot unmarshal number into Go value of type string"#,
        ),
    ),
    (
        "replace below a missing parent",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"replace","path":"/x/y","value":1}]"#,
        Fails(r#"replace operation does not apply: doc is missing path: /x/y: missing value"#),
    ),
    (
        "add without a value adds null",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/b"}]"#,
        Out(r#"{"a":[1,2],"b":null,"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add at - appends",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/-","value":3}]"#,
        Out(r#"{"a":[1,2,3],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add at -1 appends",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/-1","value":3}]"#,
        Out(r#"{"a":[1,2,3],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add at -3 prepends",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/-3","value":0}]"#,
        Out(r#"{"a":[0,1,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add at -4 is out of range",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/-4","value":0}]"#,
        Fails(
            r#"error in add for path: '/a/-4': Unable to access invalid index: -4: invalid index referenced"#,
        ),
    ),
    (
        "add at the length appends",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/2","value":3}]"#,
        Out(r#"{"a":[1,2,3],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add past the length",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/3","value":3}]"#,
        Fails(
            r#"error in add for path: '/a/3': Unable to access invalid index: 3: invalid index referenced"#,
        ),
    ),
    (
        "add with a signed, zero-padded index",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/+01","value":9}]"#,
        Out(r#"{"a":[1,9,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add with a bad index",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a/x","value":9}]"#,
        Fails(
            r#"error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax"#,
        ),
    ),
    (
        "add below a missing parent",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/x/y","value":1}]"#,
        Fails(r#"add operation does not apply: doc is missing path: "/x/y": missing value"#),
    ),
    (
        "add below null",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/n/y","value":1}]"#,
        Fails(r#"add operation does not apply: doc is missing path: "/n/y": missing value"#),
    ),
    (
        "add below a string",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/s/y","value":1}]"#,
        Fails(r#"add operation does not apply: doc is missing path: "/s/y": missing value"#),
    ),
    (
        "add with an empty path",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"","value":{}}]"#,
        Fails(r#"add operation does not apply: doc is missing path: "": missing value"#),
    ),
    (
        "add with a path without a slash",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"b","value":1}]"#,
        Fails(r#"add operation does not apply: doc is missing path: "b": missing value"#),
    ),
    (
        "the first path segment is ignored",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"zz/b","value":1}]"#,
        Out(r#"{"a":[1,2],"b":1,"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add with an empty key",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/","value":1}]"#,
        Out(r#"{"":1,"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "add with escapes",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/a~1b","value":1},{"op":"add","path":"/~01","value":2},{"op":"add","path":"/~2~","value":3}]"#,
        Out(r#"{"a":[1,2],"a/b":1,"m":{"k":"v"},"n":null,"s":"x","~1":2,"~2~":3}"#),
    ),
    (
        "add with a path that is not a string",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":5,"value":1}]"#,
        Fails(r#"add operation failed to decode path: missing value"#),
    ),
    (
        "add without a path",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","value":1}]"#,
        Fails(r#"add operation failed to decode path: missing value"#),
    ),
    (
        "remove of a missing key",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/b"}]"#,
        Fails(
            r#"error in remove for path: '/b': Unable to remove nonexistent key: b: missing value"#,
        ),
    ),
    (
        "remove of a null member",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/n"}]"#,
        Out(r#"{"a":[1,2],"m":{"k":"v"},"s":"x"}"#),
    ),
    (
        "remove with a negative index",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/a/-1"}]"#,
        Out(r#"{"a":[1],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "remove with -",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/a/-"}]"#,
        Fails(r#"error in remove for path: '/a/-': strconv.Atoi: parsing "-": invalid syntax"#),
    ),
    (
        "remove past the end",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/a/2"}]"#,
        Fails(
            r#"error in remove for path: '/a/2': Unable to access invalid index: 2: invalid index referenced"#,
        ),
    ),
    (
        "remove with an index out of int64",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/a/99999999999999999999"}]"#,
        Fails(
            r#"error in remove for path: '/a/99999999999999999999': strconv.Atoi: parsing "99999999999999999999": value out of range"#,
        ),
    ),
    (
        "remove with an index that is not a number",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/a/1e0"}]"#,
        Fails(r#"error in remove for path: '/a/1e0': strconv.Atoi: parsing "1e0": invalid syntax"#),
    ),
    (
        "remove below a missing parent",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":"/x/y"}]"#,
        Fails(r#"remove operation does not apply: doc is missing path: "/x/y": missing value"#),
    ),
    (
        "remove of the whole document",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"remove","path":""}]"#,
        Fails(r#"remove operation does not apply: doc is missing path: "": missing value"#),
    ),
    (
        "move",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"move","from":"/a/0","path":"/m/first"}]"#,
        Out(r#"{"a":[2],"m":{"first":1,"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "move from a missing key",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"move","from":"/zz","path":"/b"}]"#,
        Fails(
            r#"error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value"#,
        ),
    ),
    (
        "move from a missing parent",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"move","from":"/x/y","path":"/b"}]"#,
        Fails(r#"move operation does not apply: doc is missing from path: /x/y: missing value"#),
    ),
    (
        "move into itself",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"move","from":"/m","path":"/m/k2"}]"#,
        Fails(
            r#"move operation does not apply: doc is missing destination path: /m/k2: missing value"#,
        ),
    ),
    (
        "move without from",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"move","path":"/b"}]"#,
        Fails(
            r#"move operation failed to decode from: operation, missing from field: missing value"#,
        ),
    ),
    (
        "copy",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"copy","from":"/m","path":"/a/0"}]"#,
        Out(r#"{"a":[{"k":"v"},1,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "copy of a null member",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"copy","from":"/n","path":"/b"}]"#,
        Out(r#"{"a":[1,2],"b":null,"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "copy to a missing parent",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"copy","from":"/m","path":"/x/y"}]"#,
        Fails(
            r#"copy operation does not apply: doc is missing destination path: /x/y: missing value"#,
        ),
    ),
    (
        "copy with a bad destination index",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"copy","from":"/m","path":"/a/5"}]"#,
        Fails(
            r#"error while adding value during copy: Unable to access invalid index: 5: invalid index referenced"#,
        ),
    ),
    (
        "copy re-marshals the value",
        r#"{"a":{"z":"<","y":1.50}}"#,
        r#"[{"op":"copy","from":"/a","path":"/b"},{"op":"test","path":"/b/z","value":"<"}]"#,
        Fails(r#"testing value /b/z failed: test failed"#),
    ),
    (
        "a copied null is an empty object",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/b","value":null},{"op":"copy","from":"/b","path":"/c"},{"op":"test","path":"/c","value":{}}]"#,
        Out(r#"{"a":[1,2],"b":null,"c":null,"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "adding into a copied null panics",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/b","value":null},{"op":"copy","from":"/b","path":"/c"},{"op":"add","path":"/c/k","value":1}]"#,
        Panics(r#"assignment to entry in nil map"#),
    ),
    (
        "walking through an added null",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/b","value":null},{"op":"add","path":"/b/k","value":1}]"#,
        Fails(r#"add operation does not apply: doc is missing path: "/b/k": missing value"#),
    ),
    (
        "test of equal numbers spelled differently",
        r#"{"a":1}"#,
        r#"[{"op":"test","path":"/a","value":1.0}]"#,
        Fails(r#"testing value /a failed: test failed"#),
    ),
    (
        "test of equal numbers spelled alike",
        r#"{"a":1}"#,
        r#"[{"op":"test","path":"/a","value":1}]"#,
        Out(r#"{"a":1}"#),
    ),
    (
        "test in a YAML patch (converted to JSON first)",
        r#"{"a":1}"#,
        r#"- op: test
  path: /a
  value: 1.0
"#,
        Out(r#"{"a":1}"#),
    ),
    (
        "test of a string with <",
        r#"{"a":"\u003c"}"#,
        r#"[{"op":"test","path":"/a","value":"<"}]"#,
        Fails(r#"testing value /a failed: test failed"#),
    ),
    (
        "test of a string with < in a YAML patch",
        r#"{"a":"\u003c"}"#,
        r#"- op: test
  path: /a
  value: "<"
"#,
        Out(r#"{"a":"\u003c"}"#),
    ),
    (
        "test of objects ignores order and spacing",
        r#"{"a":{"x":1,"y":[1, 2]}}"#,
        r#"[{"op":"test","path":"/a","value":{ "y":[1,2],"x":1 }}]"#,
        Out(r#"{"a":{"x":1,"y":[1,2]}}"#),
    ),
    (
        "test of null against a missing key",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"test","path":"/zz","value":null}]"#,
        Out(r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "test without a value against null",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"test","path":"/n"}]"#,
        Out(r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "test without a value against a string",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"test","path":"/s"}]"#,
        Fails(r#"testing value /s failed: test failed"#),
    ),
    (
        "test of a missing key against a value",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"test","path":"/zz","value":1}]"#,
        Fails(r#"testing value /zz failed: test failed"#),
    ),
    (
        "test of the whole document",
        r#"{"a":1}"#,
        r#"[{"op":"test","path":"","value":{"a":1}}]"#,
        Out(r#"{"a":1}"#),
    ),
    (
        "test of the whole document without a value panics",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"test","path":""}]"#,
        Panics(r#"runtime error: invalid memory address or nil pointer dereference"#),
    ),
    (
        "test of lists holding null panics",
        r#"{"a":[null]}"#,
        r#"[{"op":"test","path":"/a","value":[null]}]"#,
        Panics(r#"runtime error: invalid memory address or nil pointer dereference"#),
    ),
    (
        "test below a missing parent",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"test","path":"/x/y","value":1}]"#,
        Fails(r#"test operation does not apply: is missing path: /x/y: missing value"#),
    ),
    (
        "test with a bad index",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"test","path":"/a/x","value":1}]"#,
        Fails(r#"error in test for path: '/a/x': strconv.Atoi: parsing "x": invalid syntax"#),
    ),
    (
        "unknown op",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"merge","path":"/a"}]"#,
        Fails(r#"Unexpected kind: merge"#),
    ),
    (
        "missing op",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"path":"/a"}]"#,
        Fails(r#"Unexpected kind: unknown"#),
    ),
    (
        "op that is not a string",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":1,"path":"/a"}]"#,
        Fails(r#"Unexpected kind: unknown"#),
    ),
    (
        "null operation",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[null]"#,
        Fails(r#"Unexpected kind: unknown"#),
    ),
    (
        "duplicate members: the last wins",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","op":"remove","path":"/s"}]"#,
        Out(r#"{"a":[1,2],"m":{"k":"v"},"n":null}"#),
    ),
    (
        "an operation that is not an object",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[1]"#,
        Fails(r#"json: cannot unmarshal number into Go value of type jsonpatch.Operation"#),
    ),
    (
        "a patch that is an object",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"{"op":"add"}"#,
        Fails(r#"json: cannot unmarshal object into Go value of type jsonpatch.Patch"#),
    ),
    (
        "a patch that is null",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"null"#,
        Out(r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#),
    ),
    (
        "a truncated patch",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add""#,
        Fails(r#"unexpected end of JSON input"#),
    ),
    (
        "a patch with a trailing comma",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/b","value":1},]"#,
        Fails(r#"invalid character ']' looking for beginning of value"#),
    ),
    (
        "a YAML patch with a syntax error",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"- op: add
  path: [
"#,
        Fails(r#"yaml: line 2: did not find expected node content"#),
    ),
    (
        "a YAML patch with a NaN",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"- op: add
  path: /b
  value: .nan
"#,
        Fails(r#"json: unsupported value: NaN"#),
    ),
    (
        "raw values are written back as they were",
        r#"{"a":[1,2],"m":{"k":"v"},"n":null,"s":"x"}"#,
        r#"[{"op":"add","path":"/b","value":{ "z": 1.50, "a": "<\u0041>", "z": 2 }}]"#,
        Out(
            r#"{"a":[1,2],"b":{"z":1.50,"a":"\u003c\u0041\u003e","z":2},"m":{"k":"v"},"n":null,"s":"x"}"#,
        ),
    ),
];

/// (name, resource, patch, expected) for [`apply_to_resource`] on a resource without
/// build bookkeeping: kustomize's results, recorded with `tools/jsonpatch-ref kyaml`.
const KYAML_CASES: &[(&str, &str, &str, Want)] = &[
    (
        "numbers go through float64",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"add","path":"/spec/x","value":[1.0, 1e3, -0, 0.1, 100000000000000000000000]}]"#,
        Out(r#"apiVersion: v1
kind: K
metadata:
  name: "n"
spec:
  big: 12345678901234567000
  f: 1
  "n": 1000000
  s: x
  x:
  - 1
  - 1000
  - 0
  - 0.1
  - 1e+23
"#),
    ),
    (
        "annotations become strings",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"add","path":"/metadata/annotations","value":{"a":1000000,"b":[1],"c":null,"d":-0,"e":true,"f":"x"}}]"#,
        Out(r#"apiVersion: v1
kind: K
metadata:
  annotations:
    a: "1e+06"
    b: ""
    c: "null"
    d: "-0"
    e: "true"
    f: x
  name: "n"
spec:
  big: 12345678901234567000
  f: 1
  "n": 1000000
  s: x
"#),
    ),
    (
        "empty annotations are removed",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n","annotations":{"a":"b","internal.config.kubernetes.io/x":"v","config.kubernetes.io/index":"0"}}}"#,
        r#"[{"op":"replace","path":"/metadata/annotations/a","value":"c"},{"op":"replace","path":"/metadata/annotations","value":{}}]"#,
        Out(r#"apiVersion: v1
kind: K
metadata:
  annotations:
    config.kubernetes.io/index: "0"
    internal.config.kubernetes.io/x: v
  name: "n"
"#),
    ),
    (
        "internal annotations are put back",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n","annotations":{"a":"b","internal.config.kubernetes.io/x":"v","config.kubernetes.io/index":"0"}}}"#,
        r#"[{"op":"remove","path":"/metadata/annotations"}]"#,
        Out(r#"apiVersion: v1
kind: K
metadata:
  annotations:
    config.kubernetes.io/index: "0"
    internal.config.kubernetes.io/x: v
  name: "n"
"#),
    ),
    (
        "a removed metadata comes back empty",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"remove","path":"/metadata"}]"#,
        Out(r#"apiVersion: v1
kind: K
metadata: {}
spec:
  big: 12345678901234567000
  f: 1
  "n": 1000000
  s: x
"#),
    ),
    (
        "a null metadata stays",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n","annotations":{"a":"b","internal.config.kubernetes.io/x":"v","config.kubernetes.io/index":"0"}}}"#,
        r#"[{"op":"replace","path":"/metadata","value":null}]"#,
        Out(r#"apiVersion: v1
kind: K
metadata: null
"#),
    ),
    (
        "a scalar metadata is an error",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"replace","path":"/metadata","value":1000000}]"#,
        Fails(
            r#"wrong node kind: expected MappingNode but got ScalarNode: node contents:
1e+06
"#,
        ),
    ),
    (
        "a list metadata is an error",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"replace","path":"/metadata","value":[-0,"a"]}]"#,
        Fails(
            r#"wrong node kind: expected MappingNode but got SequenceNode: node contents:
- -0
- a
"#,
        ),
    ),
    (
        "an odd list metadata panics",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n","annotations":{"a":"b","internal.config.kubernetes.io/x":"v","config.kubernetes.io/index":"0"}}}"#,
        r#"[{"op":"replace","path":"/metadata","value":[1]}]"#,
        Panics(r#"runtime error: index out of range [1] with length 1"#),
    ),
    (
        "an empty annotation key is an error",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"add","path":"/metadata/annotations","value":{"":"x"}}]"#,
        Fails(
            r#"wrong node kind: expected ScalarNode but got MappingNode: node contents:
{}
"#,
        ),
    ),
    (
        "a list document is an error",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"replace","path":"","value":[1]}]"#,
        Fails(r#"json: cannot unmarshal array into Go value of type map[string]interface {}"#),
    ),
    (
        "a number out of float64 range is an error",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"big":12345678901234567890,"n":1000000,"f":1.0,"s":"x"}}"#,
        r#"[{"op":"add","path":"/spec/x","value":1e400}]"#,
        Fails(r#"json: cannot unmarshal number 1e400 into Go value of type float64"#),
    ),
    (
        "a result nested too deep is an error",
        r#"{"apiVersion":"v1","kind":"K","metadata":{"name":"n"},"spec":{"m":{}}}"#,
        r#"DEEP"#,
        Fails(r#"invalid character '[' exceeded max depth"#),
    ),
];

#[test]
fn library_behaviour_as_in_go() {
    for (name, doc, patch, want) in LIB_CASES {
        check(name, run_lib(doc, patch), want);
    }
}

/// `[[[...]]]` nested `n` deep.
fn nested_lists(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

#[test]
fn kustomize_wrapping_as_in_kustomize() {
    for (name, doc, patch, want) in KYAML_CASES {
        let patch = if *patch == "DEEP" {
            format!(
                r#"[{{"op":"add","path":"/spec/m/x","value":{}}}]"#,
                nested_lists(9998)
            )
        } else {
            (*patch).to_owned()
        };
        check(name, run_kyaml(doc, &patch), want);
    }
}

fn resource(yaml: &str) -> Resource {
    let mut rs = crate::kustomize::parse_resources(yaml.as_bytes(), "r.yaml").expect("a resource");
    rs.remove(0)
}

fn patch(text: &str) -> Patch {
    decode(text).expect("a patch").0
}

#[test]
fn build_annotations_are_visible_to_the_patch_and_kept_as_bookkeeping() {
    let mut r = resource("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n");
    // Without bookkeeping there are no annotations to add to.
    let add = patch("- op: add\n  path: /metadata/annotations/x\n  value: 1000000\n");
    assert_eq!(
        apply_to_resource(&mut r.clone(), &add, false),
        Err(
            "add operation does not apply: doc is missing path: \"/metadata/annotations/x\": missing value"
                .to_owned()
        )
    );
    // `patches:` stores the previous id first, as kustomize does, so they exist.
    r.store_previous_id();
    r.prefixes.push("p-".into());
    r.generated = true;
    r.needs_hash = true;
    apply_to_resource(&mut r, &add, false).expect("applies");
    let copy = patch("- op: copy\n  from: /metadata/annotations\n  path: /data/m\n");
    apply_to_resource(&mut r, &copy, false).expect("applies");
    assert_eq!(
        emit_kustomize(&r.obj),
        "apiVersion: v1\ndata:\n  a: b\n  m:\n    internal.config.kubernetes.io/generatorBehavior: unspecified\n    internal.config.kubernetes.io/needsHashSuffix: enabled\n    internal.config.kubernetes.io/prefixes: p-\n    internal.config.kubernetes.io/previousKinds: ConfigMap\n    internal.config.kubernetes.io/previousNames: cm\n    internal.config.kubernetes.io/previousNamespaces: default\n    x: \"1e+06\"\nkind: ConfigMap\nmetadata:\n  annotations:\n    x: \"1e+06\"\n  name: cm\n"
    );
    assert_eq!(r.prev_ids.len(), 1);
    // Removing them all leaves the bookkeeping alone.
    let remove = patch("- op: remove\n  path: /metadata/annotations\n");
    apply_to_resource(&mut r, &remove, false).expect("applies");
    assert_eq!(r.obj.get_path(&["metadata", "annotations"]), None);
    assert_eq!(r.prefixes, vec!["p-".to_owned()]);
    assert_eq!(
        build_annotations(&r).len(),
        6,
        "prefixes, previous kinds/names/namespaces, behaviour, hash"
    );
    let _: Option<Id> = r.prev_ids.first().cloned();
}

#[test]
fn patches_ignores_what_patches_json6902_reports() {
    let r = resource("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
    let p = patch("- op: replace\n  path: /metadata\n  value: hello\n");
    assert_eq!(
        apply_to_resource(&mut r.clone(), &p, true),
        Err(
            "wrong node kind: expected MappingNode but got ScalarNode: node contents:\nhello\n"
                .to_owned()
        )
    );
    let mut r2 = r.clone();
    apply_to_resource(&mut r2, &p, false).expect("ignored");
    assert_eq!(r2.obj.get("metadata"), Some(&Value::from("hello")));
}

#[test]
fn decoding_as_kustomize_does() {
    // JSON when the text starts with `[`, else YAML converted to JSON first.
    assert_eq!(
        decode("[{\"op\":\"add\"}").map(|_| ()),
        Err(DecodeError::Json {
            json: "[{\"op\":\"add\"}".into(),
            error: "unexpected end of JSON input".into()
        })
    );
    assert_eq!(
        decode("op: add\npath: /a\n").map(|_| ()),
        Err(DecodeError::Json {
            json: r#"{"op":"add","path":"/a"}"#.into(),
            error: "json: cannot unmarshal object into Go value of type jsonpatch.Patch".into()
        })
    );
    assert_eq!(
        decode("- op: add\n  path: [\n").map(|_| ()),
        Err(DecodeError::Yaml(
            "yaml: line 2: did not find expected node content".into()
        ))
    );
    let (p, json) = decode(" [{op: test, path: /a, value: 1.0}]").expect("YAML flow");
    assert_eq!(json, r#"[{"op":"test","path":"/a","value":1}]"#);
    assert_eq!(p.0.len(), 1);
    assert!(decode("# nothing\n").expect("null").0.is_empty());
}

#[test]
fn go_atoi() {
    for (s, want) in [
        ("0", Ok(0)),
        ("+7", Ok(7)),
        ("-007", Ok(-7)),
        ("9223372036854775807", Ok(i64::MAX)),
        ("-9223372036854775808", Ok(i64::MIN)),
        (
            "9223372036854775808",
            Err(r#"strconv.Atoi: parsing "9223372036854775808": value out of range"#),
        ),
        (
            "99999999999999999999x",
            Err(r#"strconv.Atoi: parsing "99999999999999999999x": value out of range"#),
        ),
        ("", Err(r#"strconv.Atoi: parsing "": invalid syntax"#)),
        ("-", Err(r#"strconv.Atoi: parsing "-": invalid syntax"#)),
        (" 1", Err(r#"strconv.Atoi: parsing " 1": invalid syntax"#)),
        ("1_0", Err(r#"strconv.Atoi: parsing "1_0": invalid syntax"#)),
        ("\t", Err(r#"strconv.Atoi: parsing "\t": invalid syntax"#)),
    ] {
        assert_eq!(atoi(s), want.map_err(str::to_owned), "{s:?}");
    }
}

#[test]
fn deep_documents_do_not_exhaust_the_stack() {
    // Walking, marshalling, measuring and dropping nodes do not recurse.
    let depth = 200_000;
    let mut inner = Node::Ary(Vec::new());
    for _ in 1..depth {
        inner = Node::Ary(vec![inner]);
    }
    let mut doc = Node::Doc(Some(BTreeMap::from([("a".to_owned(), inner)])));
    let path = format!("/a{}", "/0".repeat(depth - 1));
    assert!(find_object(&mut doc, &path).is_some());
    assert_eq!(depth_of(&doc), depth + 1);
    let mut out = String::new();
    marshal(&doc, &mut out);
    assert_eq!(out.len(), 2 * depth + 6);
    // Raw text is decoded one level per path segment.
    let mut raw = Node::Doc(Some(BTreeMap::from([(
        "a".to_owned(),
        Node::Raw(nested_lists(2000)),
    )])));
    assert!(find_object(&mut raw, &format!("/a{}/-", "/0".repeat(1998))).is_some());
    assert_eq!(depth_of(&raw), 2001);
}

fn depth_of(n: &Node) -> usize {
    depth(n)
}

/// Differential run against the Go library (`tools/jsonpatch-ref`): reads the cases in
/// `$JSONPATCH_CASES` (JSON lines `{"doc": ..., "patch": ...}`) and writes one result line
/// each to `$JSONPATCH_OUT` in the Go tool's format; `$JSONPATCH_MODE` is `lib` (default)
/// or `kyaml`. See `tools/jsonpatch-ref/README.md`.
#[test]
#[ignore = "differential run: needs JSONPATCH_CASES and JSONPATCH_OUT"]
fn differential_dump() {
    let (Ok(cases), Ok(out_path)) = (
        std::env::var("JSONPATCH_CASES"),
        std::env::var("JSONPATCH_OUT"),
    ) else {
        return;
    };
    let kyaml = std::env::var("JSONPATCH_MODE").is_ok_and(|m| m == "kyaml");
    let text = std::fs::read_to_string(cases).expect("cases file readable");
    let mut out = String::new();
    for line in text.lines() {
        json::check_valid(line.as_bytes()).expect("a JSON line");
        let mut doc = String::new();
        let mut patch = String::new();
        for (k, v) in json::object_members(line) {
            match k.as_str() {
                "doc" => doc = json::unquote(v),
                "patch" => patch = json::unquote(v),
                _ => {}
            }
        }
        let result = if kyaml {
            run_kyaml(&doc, &patch)
        } else {
            run_lib(&doc, &patch)
        };
        let (key, text) = match result {
            Ok(s) => ("out", s),
            Err(Failure::Error(e)) => ("err", e),
            Err(Failure::Panic(p)) => ("panic", p),
        };
        out.push_str(&format!("{{\"{key}\":"));
        crate::go::json::write_str(&mut out, &text, false);
        out.push_str("}\n");
    }
    std::fs::write(out_path, out).expect("output written");
}

fn run_lib(doc: &str, patch: &str) -> Result<String, Failure> {
    let (p, _) = decode(patch).map_err(|e| Failure::Error(e.to_string()))?;
    apply_json(doc, &p)
}

fn run_kyaml(doc: &str, patch: &str) -> Result<String, Failure> {
    let mut rs = crate::kustomize::parse_resources(doc.as_bytes(), "doc.yaml")
        .map_err(|e| Failure::Error(format!("bad test input: {e}")))?;
    let Some(r) = rs.first_mut() else {
        return Err(Failure::Error("bad test input: no resource".into()));
    };
    let (p, _) = decode(patch).map_err(|e| Failure::Error(e.to_string()))?;
    match apply_to_resource(r, &p, true) {
        Ok(()) => Ok(crate::yaml::emit_kustomize(&r.obj)),
        Err(e) => match e.strip_prefix("panic: ") {
            Some(p) => Err(Failure::Panic(p.to_owned())),
            None => Err(Failure::Error(e)),
        },
    }
}
