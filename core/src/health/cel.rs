//! CEL health checks as Flux's kustomize-controller (v1.10) evaluates a Kustomization's
//! `spec.healthCheckExprs` (`github.com/fluxcd/pkg/runtime/cel`: `StatusEvaluator`,
//! `StatusReader`).
//!
//! * Each check names an `apiVersion` and `kind` (an empty kind covers the whole API group)
//!   and holds `current` (required), `inProgress` and `failed` expressions.
//! * The expressions are parsed once, without type checking, and evaluated with every
//!   top-level field of the object as a variable (`metadata`, `spec`, `status`...); a missing
//!   field is an evaluation error, not `false`.
//! * Evaluation: when `status.observedGeneration` and `metadata.generation` are both integers
//!   and differ, `InProgress`; else `inProgress`, then `failed`, then `current`, the first
//!   that is true decides; none true is `InProgress`. The message is always empty. An
//!   evaluation error or a result that is not a boolean is an error (Flux: `Unknown`).
//!
//! The interpreter is the `cel` crate with the Kubernetes extension libraries of `kube-cel`
//! that Flux's environment enables (cel-go's `ext.Strings`, `ext.Sets`, `ext.Encoders`;
//! optional types are built into `cel`).
//!
//! ```
//! use gitward::health::cel::{CustomHealthCheck, HealthCheckExprs, HealthChecks};
//! use gitward::health::Status;
//! use gitward::manifest::read_manifests;
//! let checks = HealthChecks::new(&[CustomHealthCheck::new(
//!     "example.com/v1",
//!     "Widget",
//!     HealthCheckExprs::new("status.phase == 'Ready'")
//!         .with_failed("status.phase == 'Broken'"),
//! )])?;
//! let w = &read_manifests("apiVersion: example.com/v1\nkind: Widget\nstatus: {phase: Broken}\n")?[0];
//! assert_eq!(checks.status(w, &Default::default())?.status, Status::Failed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use kube_cel::KubeCelExt;
use kube_cel::cel;

use super::access::nested_int64;
use super::{GroupKind, HealthError, HealthResult, Options, Status, group_kind, group_kind_of};
use crate::yaml::{Number, Value};

/// Deepest object nesting converted for an evaluation.
const MAX_DEPTH: usize = 1000;

/// The three expressions of one health check (Flux's `HealthCheckExpressions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HealthCheckExprs {
    /// When true the object is `Current` (required).
    pub current: String,
    /// When true the object is `InProgress` (checked first; empty: not checked).
    pub in_progress: String,
    /// When true the object is `Failed` (checked second; empty: not checked).
    pub failed: String,
}

impl HealthCheckExprs {
    /// A check with only its `current` expression.
    pub fn new(current: impl Into<String>) -> Self {
        HealthCheckExprs {
            current: current.into(),
            ..Self::default()
        }
    }

    /// Sets the `inProgress` expression.
    pub fn with_in_progress(mut self, expr: impl Into<String>) -> Self {
        self.in_progress = expr.into();
        self
    }

    /// Sets the `failed` expression.
    pub fn with_failed(mut self, expr: impl Into<String>) -> Self {
        self.failed = expr.into();
        self
    }
}

/// A health check for one kind (or, with an empty kind, one API group): Flux's
/// `CustomHealthCheck`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomHealthCheck {
    /// `group/version` (or `version` for the core group) of the objects checked.
    pub api_version: String,
    /// Their kind; empty for every kind of the group.
    pub kind: String,
    /// The expressions.
    pub exprs: HealthCheckExprs,
}

impl CustomHealthCheck {
    /// A check for `api_version`/`kind`.
    pub fn new(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        exprs: HealthCheckExprs,
    ) -> Self {
        CustomHealthCheck {
            api_version: api_version.into(),
            kind: kind.into(),
            exprs,
        }
    }
}

/// A health check that cannot be built; `Display` is Flux's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CelError {
    /// The `current` expression is empty.
    #[error("expression Current not specified")]
    MissingCurrent,
    /// An expression does not parse.
    #[error(
        "failed to parse the expression {which}: failed to parse the CEL expression '{expr}': {message}"
    )]
    Parse {
        /// `Current`, `InProgress` or `Failed`.
        which: &'static str,
        /// The expression.
        expr: String,
        /// The parser's message.
        message: String,
    },
    /// A check of the list cannot be built.
    #[error("failed to create custom status evaluator for healthchecks[{index}]: {source}")]
    Check {
        /// Its index.
        index: usize,
        /// Why.
        source: Box<CelError>,
    },
    /// Two checks cover the same group and kind.
    #[error("duplicate custom health check for GroupKind {group_kind} at healthchecks[{index}]")]
    Duplicate {
        /// The group and kind as Go prints them (`Widget.example.com`).
        group_kind: String,
        /// The index of the second check.
        index: usize,
    },
}

/// A parsed expression.
struct Expr {
    text: String,
    program: cel::Program,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expr").field(&self.text).finish()
    }
}

impl Expr {
    fn parse(which: &'static str, text: &str) -> Result<Expr, CelError> {
        let parsed = catch_unwind(|| cel::Program::compile(text));
        let err = |message: String| CelError::Parse {
            which,
            expr: text.to_string(),
            message,
        };
        match parsed {
            Ok(Ok(program)) => Ok(Expr {
                text: text.to_string(),
                program,
            }),
            Ok(Err(e)) => Err(err(e.to_string())),
            Err(_) => Err(err("the parser failed".to_string())),
        }
    }

    /// `EvaluateBoolean`.
    fn eval_bool(&self, vars: &[(String, cel::Value)]) -> Result<bool, HealthError> {
        let run = catch_unwind(AssertUnwindSafe(|| {
            let mut ctx = cel::Context::default();
            ctx.register_all();
            for (name, value) in vars {
                ctx.add_variable_from_value(name.clone(), value.clone());
            }
            self.program.execute(&ctx)
        }));
        match run {
            Ok(Ok(cel::Value::Bool(b))) => Ok(b),
            Ok(Ok(_)) => Err(HealthError::Cel(format!(
                "failed to evaluate CEL expression as boolean: '{}'",
                self.text
            ))),
            Ok(Err(e)) => Err(HealthError::Cel(format!(
                "failed to evaluate the CEL expression '{}': {e}",
                self.text
            ))),
            Err(_) => Err(HealthError::Cel(format!(
                "failed to evaluate the CEL expression '{}': the interpreter failed",
                self.text
            ))),
        }
    }
}

/// The parsed expressions of one check (Flux's `StatusEvaluator`).
#[derive(Debug)]
pub struct StatusEvaluator {
    current: Expr,
    in_progress: Option<Expr>,
    failed: Option<Expr>,
}

impl StatusEvaluator {
    /// Parses the expressions (`NewStatusEvaluator`).
    ///
    /// # Errors
    /// An empty `current` expression, or one that does not parse.
    pub fn new(exprs: &HealthCheckExprs) -> Result<Self, CelError> {
        if exprs.current.is_empty() {
            return Err(CelError::MissingCurrent);
        }
        let current = Expr::parse("Current", &exprs.current)?;
        let failed = (!exprs.failed.is_empty())
            .then(|| Expr::parse("Failed", &exprs.failed))
            .transpose()?;
        let in_progress = (!exprs.in_progress.is_empty())
            .then(|| Expr::parse("InProgress", &exprs.in_progress))
            .transpose()?;
        Ok(StatusEvaluator {
            current,
            in_progress,
            failed,
        })
    }

    /// `Evaluate`: the status of `obj` by these expressions (the message is empty).
    ///
    /// # Errors
    /// An expression that fails to evaluate or does not give a boolean.
    pub fn evaluate(&self, obj: &Value) -> Result<HealthResult, HealthError> {
        if let Ok(Some(observed)) = nested_int64(obj, &["status", "observedGeneration"])
            && let Ok(Some(generation)) = nested_int64(obj, &["metadata", "generation"])
            && observed != generation
        {
            return Ok(HealthResult::new(Status::InProgress, ""));
        }
        let Value::Map(m) = obj else {
            return Err(HealthError::NotAnObject(super::access::go_type(obj)));
        };
        let mut vars = Vec::with_capacity(m.len());
        for (k, v) in m {
            vars.push((k.clone(), to_cel(v, 0)?));
        }
        let order = [
            (self.in_progress.as_ref(), Status::InProgress),
            (self.failed.as_ref(), Status::Failed),
            (Some(&self.current), Status::Current),
        ];
        for (expr, status) in order {
            if let Some(expr) = expr
                && expr.eval_bool(&vars)?
            {
                return Ok(HealthResult::new(status, ""));
            }
        }
        Ok(HealthResult::new(Status::InProgress, ""))
    }
}

/// A value as cel-go's adapter sees Go's decoded JSON.
fn to_cel(v: &Value, depth: usize) -> Result<cel::Value, HealthError> {
    if depth > MAX_DEPTH {
        return Err(HealthError::Cel("object nested too deeply".to_string()));
    }
    Ok(match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(Number::Int(i)) => cel::Value::Int(*i),
        Value::Number(Number::UInt(u)) => cel::Value::UInt(*u),
        Value::Number(Number::Float(f)) => cel::Value::Float(*f),
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Seq(items) => cel::Value::List(Arc::new(
            items
                .iter()
                .map(|i| to_cel(i, depth + 1))
                .collect::<Result<_, _>>()?,
        )),
        Value::Map(m) => {
            let mut out = HashMap::with_capacity(m.len());
            for (k, v) in m {
                out.insert(
                    cel::objects::Key::String(Arc::new(k.clone())),
                    to_cel(v, depth + 1)?,
                );
            }
            cel::Value::Map(cel::objects::Map { map: Arc::new(out) })
        }
    })
}

/// `GroupKind.String()`: `Kind.group`, or `Kind` for the core group.
fn gk_string(gk: &GroupKind) -> String {
    if gk.group.is_empty() {
        gk.kind.clone()
    } else {
        format!("{}.{}", gk.kind, gk.group)
    }
}

/// A set of health checks by group and kind (Flux's CEL `StatusReader`).
#[derive(Debug, Default)]
pub struct HealthChecks {
    evaluators: HashMap<GroupKind, StatusEvaluator>,
}

impl HealthChecks {
    /// Parses every check (`NewStatusReader`).
    ///
    /// # Errors
    /// A check that does not parse, or two checks for the same group and kind.
    pub fn new(checks: &[CustomHealthCheck]) -> Result<Self, CelError> {
        let mut evaluators = HashMap::with_capacity(checks.len());
        for (index, hc) in checks.iter().enumerate() {
            // schema.FromAPIVersionAndKind: an apiVersion that does not parse keeps the kind.
            let mut gk = group_kind_of(&hc.api_version, &hc.kind);
            if gk.kind.is_empty() {
                gk.kind = hc.kind.clone();
            }
            if hc.kind.is_empty() {
                gk.kind.clear();
            }
            if evaluators.contains_key(&gk) {
                return Err(CelError::Duplicate {
                    group_kind: gk_string(&gk),
                    index,
                });
            }
            let se = StatusEvaluator::new(&hc.exprs).map_err(|e| CelError::Check {
                index,
                source: Box::new(e),
            })?;
            evaluators.insert(gk, se);
        }
        Ok(HealthChecks { evaluators })
    }

    /// Whether no check is configured.
    pub fn is_empty(&self) -> bool {
        self.evaluators.is_empty()
    }

    /// The evaluator for a group and kind: the kind's own check, else its group's.
    pub fn evaluator(&self, gk: &GroupKind) -> Option<&StatusEvaluator> {
        self.evaluators.get(gk).or_else(|| {
            self.evaluators.get(&GroupKind {
                group: gk.group.clone(),
                kind: String::new(),
            })
        })
    }

    /// The status of `obj` as Flux's poller computes it with these checks: by its CEL check
    /// when one covers its group and kind, else by kstatus ([`super::status_with`]).
    ///
    /// # Errors
    /// As [`StatusEvaluator::evaluate`] or [`super::status_with`].
    pub fn status(&self, obj: &Value, opts: &Options) -> Result<HealthResult, HealthError> {
        match self.evaluator(&group_kind(obj)) {
            Some(e) => e.evaluate(obj),
            None => super::status_with(obj, opts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn obj(yaml: &str) -> Value {
        read_manifests(yaml).expect("reads").remove(0)
    }

    fn eval(exprs: HealthCheckExprs, yaml: &str) -> Result<HealthResult, HealthError> {
        StatusEvaluator::new(&exprs)
            .expect("parses")
            .evaluate(&obj(yaml))
    }

    const W: &str =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, generation: 2}\n";

    #[test]
    fn precedence_in_progress_failed_current() {
        let exprs = HealthCheckExprs::new("true")
            .with_failed("status.phase == 'Failed'")
            .with_in_progress("status.phase == 'Running'");
        let st = |phase: &str| {
            eval(exprs.clone(), &format!("{W}status: {{phase: {phase}}}\n"))
                .expect("evaluates")
                .status
        };
        assert_eq!(st("Running"), Status::InProgress);
        assert_eq!(st("Failed"), Status::Failed);
        assert_eq!(st("Ready"), Status::Current);
    }

    #[test]
    fn generation_mismatch_and_nothing_true() {
        let exprs = HealthCheckExprs::new(
            "status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')",
        );
        let r = eval(
            exprs.clone(),
            &format!("{W}status: {{observedGeneration: 1, conditions: []}}\n"),
        );
        assert_eq!(
            r.expect("evaluates"),
            HealthResult::new(Status::InProgress, "")
        );
        let r = eval(
            exprs.clone(),
            &format!(
                "{W}status: {{observedGeneration: 2, conditions: [{{type: Ready, status: 'True'}}]}}\n"
            ),
        );
        assert_eq!(r.expect("evaluates").status, Status::Current);
        let r = eval(
            exprs,
            &format!("{W}status: {{conditions: [{{type: Ready, status: 'False'}}]}}\n"),
        );
        assert_eq!(r.expect("evaluates").status, Status::InProgress);
    }

    #[test]
    fn errors() {
        assert_eq!(
            StatusEvaluator::new(&HealthCheckExprs::default()).map(|_| ()),
            Err(CelError::MissingCurrent)
        );
        assert!(matches!(
            StatusEvaluator::new(&HealthCheckExprs::new("status.(")),
            Err(CelError::Parse {
                which: "Current",
                ..
            })
        ));
        assert!(matches!(
            eval(HealthCheckExprs::new("status.x == 1"), W),
            Err(HealthError::Cel(_))
        ));
        assert!(matches!(
            eval(HealthCheckExprs::new("1"), W),
            Err(HealthError::Cel(_))
        ));
        let dup = [
            CustomHealthCheck::new("example.com/v1", "", HealthCheckExprs::new("true")),
            CustomHealthCheck::new("example.com/v2", "", HealthCheckExprs::new("true")),
        ];
        assert_eq!(
            HealthChecks::new(&dup).map(|_| ()),
            Err(CelError::Duplicate {
                // schema.GroupKind.String() with an empty kind: "" + "." + group.
                group_kind: ".example.com".to_string(),
                index: 1
            })
        );
    }

    #[test]
    fn extension_functions_and_numbers() {
        let r = eval(
            HealthCheckExprs::new(
                "metadata.name.upperAscii() == 'W' && sets.contains([1, 2], [2]) && metadata.generation < 2.5 \
                 && base64.encode(b'a') == 'YQ=='",
            ),
            &format!("{W}status: {{}}\n"),
        );
        assert_eq!(r.expect("evaluates").status, Status::Current);
    }

    #[test]
    fn group_wide_checks_and_fallback_to_kstatus() {
        let checks = HealthChecks::new(&[CustomHealthCheck::new(
            "example.com/v1",
            "",
            HealthCheckExprs::new("false"),
        )])
        .expect("parses");
        let r = checks
            .status(&obj(W), &Options::default())
            .expect("evaluates");
        assert_eq!(r.status, Status::InProgress);
        let cm = obj("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        let r = checks.status(&cm, &Options::default()).expect("evaluates");
        assert_eq!(
            r,
            HealthResult::new(Status::Current, "Resource is always ready")
        );
    }
}
