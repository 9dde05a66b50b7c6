//! Terraform as `terraform plan` evaluates it with no state (contract §7): an attribute
//! written as an expression (`num_cache_clusters = var.cluster_size`) takes the value its
//! module gives it: a variable's default, overridden by `terraform.tfvars` and
//! `*.auto.tfvars`, and locals built from them. Evaluation is hcl-rs's (`hcl::eval`); what
//! depends on anything else (a resource's attribute, a data source, a variable with no value,
//! a function) stays unknown and is never judged.

use std::collections::HashMap;

use hcl::eval::{Context, Evaluate};

use crate::config::environment::{Environment, infer};
use crate::extract::terraform::{CREATED, DYNAMIC};
use crate::extract::{Facts, Origin, TfSource, TfValue};
use crate::kb::Kb;
use crate::source::FileTable;

/// At most this many passes over a module's locals (each may read those of a pass before).
const LOCAL_PASSES: usize = 8;

/// A module's values, and how each was reached (`var.x` → "its default, variables.tf:3").
struct Module {
    vars: hcl::Map<String, hcl::Value>,
    locals: hcl::Map<String, hcl::Value>,
    from: HashMap<String, String>,
}

/// A call of a module (`module "cache" { source = "../.." … }`) and the values of its
/// arguments, evaluated with the calling module's values.
struct Call {
    args: Vec<Argument>,
}

struct Argument {
    name: String,
    /// `None` when it cannot be evaluated (it reads a resource, a data source, …)
    value: Option<hcl::Value>,
    /// "set by module \"cache\", examples/complete/main.tf:9, from var.size: …"
    how: String,
}

/// Calls deeper than this (a module calling a module calling …) are not followed.
const CALL_DEPTH: usize = 8;

/// Whether a call only shows how to use the module it calls: it is written in an example or a
/// test (`examples/complete/main.tf` calling `../../`) and the module is not. A published
/// module is called from elsewhere too, leaving out what its examples set: its defaults stand.
fn demonstrates(call_file: &str, module_dir: &str) -> bool {
    // only the folders below the two's common ancestor say what each is for (a tree checked
    // out under `tests/` is not all tests)
    let call: Vec<&str> = call_file.split('/').collect();
    let module: Vec<&str> = module_dir.split('/').filter(|p| !p.is_empty()).collect();
    let common = call
        .iter()
        .zip(&module)
        .take_while(|(a, b)| a == b)
        .count()
        .min(call.len().saturating_sub(1));
    let shows = |e: Environment| matches!(e, Environment::Example | Environment::Test);
    let mut below = module[common..].join("/");
    below.push_str("/main.tf");
    shows(infer(&call[common..].join("/"))) && !shows(infer(&below))
}

/// The tree's modules, each built once, with the values its calls give it.
struct Modules<'a> {
    files: &'a FileTable,
    /// defaults, values files and locals, by module directory
    values: HashMap<&'a str, Vec<&'a TfValue>>,
    /// the calls of each module directory, each with its arguments
    calls: HashMap<&'a str, Vec<(&'a TfValue, Vec<&'a TfValue>)>>,
    built: HashMap<String, Module>,
    building: std::collections::HashSet<String>,
}

impl<'a> Modules<'a> {
    fn new(files: &'a FileTable, all: &'a [TfValue]) -> Modules<'a> {
        let mut values: HashMap<&str, Vec<&TfValue>> = HashMap::new();
        let mut calls: HashMap<&str, Vec<(&TfValue, Vec<&TfValue>)>> = HashMap::new();
        for v in all {
            match v.source {
                TfSource::Call if demonstrates(files.name(v.span.file), &v.dir) => {}
                TfSource::Call => calls
                    .entry(v.dir.as_str())
                    .or_default()
                    .push((v, Vec::new())),
                TfSource::Argument => {}
                _ => values.entry(v.dir.as_str()).or_default().push(v),
            }
        }
        for v in all.iter().filter(|v| v.source == TfSource::Argument) {
            let within = calls.get_mut(v.dir.as_str()).and_then(|cs| {
                cs.iter_mut().find(|(c, _)| {
                    c.span.file == v.span.file
                        && c.span.range.start <= v.span.range.start
                        && v.span.range.end <= c.span.range.end
                })
            });
            if let Some((_, args)) = within {
                args.push(v);
            }
        }
        Modules {
            files,
            values,
            calls,
            built: HashMap::new(),
            building: std::collections::HashSet::new(),
        }
    }

    fn knows(&self, dir: &str) -> bool {
        self.values.contains_key(dir) || self.calls.contains_key(dir)
    }

    /// The module in `dir`, built once, with its callers' values first. A module being built
    /// further up (a cycle of calls) gives `None`: its arguments are unknown; `depth` bounds a
    /// chain of calls.
    fn get(&mut self, dir: &str, depth: usize) -> Option<&Module> {
        if !self.built.contains_key(dir) {
            if !self.building.insert(dir.to_owned()) {
                return None;
            }
            let mut calls = Vec::new();
            let called: Vec<(&TfValue, Vec<&TfValue>)> =
                self.calls.get(dir).cloned().unwrap_or_default();
            for (call, args) in called {
                let caller = call.caller.as_deref().unwrap_or("");
                let mut evaluated = Vec::new();
                let line = |v: &TfValue| {
                    let (line, _) = self.files.line_col(v.span);
                    format!("{}:{line}", self.files.name(v.span.file))
                };
                let at: Vec<String> = args.iter().map(|a| line(a)).collect();
                let module = if depth < CALL_DEPTH {
                    self.get(caller, depth + 1)
                } else {
                    None
                };
                let ctx = module.map(Module::context);
                for (a, at) in args.iter().zip(at) {
                    let value = ctx.as_ref().and_then(|ctx| evaluate(&a.expr, ctx));
                    let of = module.map(|m| m.how(&a.expr)).unwrap_or_default();
                    let mut how = format!("set by module \"{}\", {at}", call.name);
                    if !of.is_empty() {
                        how = format!("{how}, from {of}");
                    }
                    evaluated.push(Argument {
                        name: a.name.clone(),
                        value,
                        how,
                    });
                }
                calls.push(Call { args: evaluated });
            }
            let values = self.values.get(dir).cloned().unwrap_or_default();
            let module = Module::new(self.files, &values, &calls);
            self.building.remove(dir);
            self.built.insert(dir.to_owned(), module);
        }
        self.built.get(dir)
    }
}

/// Terraform's functions that modules use to pick a value (`max(1, var.n)`,
/// `coalesce(var.x, "d")`, `lookup(var.m, "k", d)`), as Terraform defines them; any other
/// call stays unknown.
fn declare_functions(ctx: &mut Context<'_>) {
    use hcl::eval::{FuncArgs, FuncDef, ParamType};
    fn numbers(args: &FuncArgs) -> Result<Vec<f64>, String> {
        args.iter()
            .map(|v| match v {
                hcl::Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".to_owned()),
                _ => Err("not a number".to_owned()),
            })
            .collect()
    }
    fn number(f: f64) -> Result<hcl::Value, String> {
        hcl::Number::from_f64(f)
            .map(hcl::Value::Number)
            .ok_or_else(|| "not a finite number".to_owned())
    }
    fn max(args: FuncArgs) -> Result<hcl::Value, String> {
        let n = numbers(&args)?;
        number(n.into_iter().fold(f64::NEG_INFINITY, f64::max))
    }
    fn min(args: FuncArgs) -> Result<hcl::Value, String> {
        let n = numbers(&args)?;
        number(n.into_iter().fold(f64::INFINITY, f64::min))
    }
    // the first argument that is not null (nor an empty string)
    fn coalesce(args: FuncArgs) -> Result<hcl::Value, String> {
        args.iter()
            .find(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .ok_or_else(|| "no non-null argument".to_owned())
    }
    fn lookup(args: FuncArgs) -> Result<hcl::Value, String> {
        let (Some(hcl::Value::Object(map)), Some(hcl::Value::String(key))) =
            (args.first(), args.get(1))
        else {
            return Err("lookup(map, key, default)".to_owned());
        };
        map.get(key)
            .or(args.get(2))
            .cloned()
            .ok_or_else(|| "no such key".to_owned())
    }
    fn tostring(args: FuncArgs) -> Result<hcl::Value, String> {
        match args.first() {
            Some(hcl::Value::String(s)) => Ok(hcl::Value::String(s.clone())),
            Some(hcl::Value::Number(n)) => Ok(hcl::Value::String(n.to_string())),
            Some(hcl::Value::Bool(b)) => Ok(hcl::Value::String(b.to_string())),
            _ => Err("tostring(value)".to_owned()),
        }
    }
    fn tonumber(args: FuncArgs) -> Result<hcl::Value, String> {
        match args.first() {
            Some(hcl::Value::Number(n)) => Ok(hcl::Value::Number(*n)),
            Some(hcl::Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map_err(|e| e.to_string())
                .and_then(number),
            _ => Err("tonumber(value)".to_owned()),
        }
    }
    fn length(args: FuncArgs) -> Result<hcl::Value, String> {
        let n = match args.first() {
            Some(hcl::Value::Array(a)) => a.len(),
            Some(hcl::Value::Object(o)) => o.len(),
            Some(hcl::Value::String(s)) => s.chars().count(),
            _ => return Err("length(collection)".to_owned()),
        };
        Ok(hcl::Value::from(n as u64))
    }
    let any = || ParamType::Any;
    ctx.declare_func(
        "max",
        FuncDef::builder()
            .variadic_param(ParamType::Number)
            .build(max),
    );
    ctx.declare_func(
        "min",
        FuncDef::builder()
            .variadic_param(ParamType::Number)
            .build(min),
    );
    ctx.declare_func(
        "coalesce",
        FuncDef::builder().variadic_param(any()).build(coalesce),
    );
    ctx.declare_func(
        "lookup",
        FuncDef::builder()
            .param(any())
            .param(any())
            .variadic_param(any())
            .build(lookup),
    );
    ctx.declare_func("tostring", FuncDef::builder().param(any()).build(tostring));
    ctx.declare_func("tonumber", FuncDef::builder().param(any()).build(tonumber));
    ctx.declare_func("length", FuncDef::builder().param(any()).build(length));
}

impl Module {
    fn context(&self) -> Context<'static> {
        let mut ctx = Context::new();
        declare_functions(&mut ctx);
        ctx.declare_var("var", hcl::Value::Object(self.vars.clone()));
        ctx.declare_var("local", hcl::Value::Object(self.locals.clone()));
        ctx
    }

    fn new(files: &FileTable, values: &[&TfValue], calls: &[Call]) -> Module {
        let at = |v: &TfValue| {
            let (line, _) = files.line_col(v.span);
            let name = files.name(v.span.file);
            format!("{}:{line}", name.rsplit('/').next().unwrap_or(name))
        };
        let mut m = Module {
            vars: hcl::Map::new(),
            locals: hcl::Map::new(),
            from: HashMap::new(),
        };
        let mut empty = Context::new();
        declare_functions(&mut empty);
        // defaults first, then the values files, which override them
        // Terraform reads terraform.tfvars, then the *.auto.tfvars files in the order of their
        // names, a later value winning (developer.hashicorp.com, "Variable definition
        // precedence")
        let mut ordered: Vec<&&TfValue> = values.iter().collect();
        ordered.sort_by_key(|v| {
            let name = files.name(v.span.file);
            (
                v.source != TfSource::Default,
                !name.ends_with("terraform.tfvars"),
                name,
            )
        });
        for source in [TfSource::Default, TfSource::Tfvars] {
            for v in ordered.iter().filter(|v| v.source == source) {
                if let Some(value) = evaluate(&v.expr, &empty) {
                    m.vars.insert(v.name.clone(), value);
                    let how = match source {
                        TfSource::Default => format!("its default, {}", at(v)),
                        _ => format!("set in {}", at(v)),
                    };
                    m.from.insert(format!("var.{}", v.name), how);
                }
            }
        }
        m.called(calls);
        let mut pending: Vec<&&TfValue> = values
            .iter()
            .filter(|v| v.source == TfSource::Local)
            .collect();
        for _ in 0..LOCAL_PASSES {
            let ctx = m.context();
            let before = pending.len();
            let mut done = Vec::new();
            pending.retain(|v| match evaluate(&v.expr, &ctx) {
                Some(value) => {
                    // a local says what it is built from (`var.cluster_mode_enabled: its
                    // default, …`)
                    let of = m.how(&v.expr);
                    let how = if of.is_empty() {
                        format!("a local, {}", at(v))
                    } else {
                        format!("a local, {}, from {of}", at(v))
                    };
                    done.push((v.name.clone(), value, how));
                    false
                }
                None => true,
            });
            for (name, value, how) in done {
                m.locals.insert(name.clone(), value);
                m.from.insert(format!("local.{name}"), how);
            }
            if pending.len() == before || pending.is_empty() {
                break;
            }
        }
        m
    }

    /// The values the module's calls give its variables. A variable takes a call's argument
    /// when every call of the module gives it the same value (a call that leaves it out gives
    /// the default); when calls disagree, or an argument cannot be evaluated, it is unknown.
    fn called(&mut self, calls: &[Call]) {
        let mut names: Vec<&str> = calls
            .iter()
            .flat_map(|c| c.args.iter().map(|a| a.name.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let key = format!("var.{name}");
            let mut agreed: Option<(hcl::Value, String)> = None;
            let mut known = true;
            for c in calls {
                let given = match c.args.iter().find(|a| a.name == name) {
                    Some(a) => a.value.clone().map(|v| (v, a.how.clone())),
                    None => self
                        .vars
                        .get(name)
                        .map(|v| (v.clone(), self.from.get(&key).cloned().unwrap_or_default())),
                };
                match (given, &agreed) {
                    (None, _) => known = false,
                    (Some(g), None) => agreed = Some(g),
                    (Some((v, _)), Some((a, _))) if v == *a => {}
                    (Some(_), Some(_)) => known = false,
                }
                if !known {
                    break;
                }
            }
            match agreed.filter(|_| known) {
                Some((value, how)) => {
                    self.vars.insert(name.to_owned(), value);
                    self.from.insert(key, how);
                }
                None => {
                    self.vars.shift_remove(name);
                    self.from.remove(&key);
                }
            }
        }
    }

    /// How the values an expression reads were reached, in the order it reads them.
    fn how(&self, expr: &str) -> String {
        let mut said: Vec<String> = Vec::new();
        for (i, _) in expr.match_indices(['v', 'l']) {
            let rest = &expr[i..];
            let prefix = if rest.starts_with("var.") {
                "var."
            } else if rest.starts_with("local.") {
                "local."
            } else {
                continue;
            };
            // a whole word: not `myvar.x`
            if expr[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let name: String = rest[prefix.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            let key = format!("{prefix}{name}");
            if let Some(how) = self.from.get(&key) {
                let line = format!("{key}: {how}");
                if !said.contains(&line) {
                    said.push(line);
                }
            }
        }
        said.join("; ")
    }
}

/// The value a Terraform resource means by leaving `key` out, from its profile's mapping
/// (`auth_token: auth_token|none`); `evidence` is the deployment's (`resource TYPE`).
fn left_out(kb: &Kb, evidence: &str, key: &str) -> Option<String> {
    let kind = evidence.strip_prefix("resource ")?;
    kb.profiles
        .iter()
        .flat_map(|p| &p.recognition.terraform)
        .filter(|t| t.resource == kind)
        .flat_map(|t| &t.settings)
        .find_map(|(_, target)| {
            let (k, default) = target.split_once('|')?;
            (k == key).then(|| default.to_owned())
        })
}

/// An expression's value, when it can be had from the context alone.
fn evaluate(text: &str, ctx: &Context<'_>) -> Option<hcl::Value> {
    let expr: hcl::Expression = text.parse().ok()?;
    expr.evaluate(ctx).ok()
}

/// A scalar value as a setting's text; `None` for lists and objects (left unknown).
fn scalar(v: &hcl::Value) -> Option<String> {
    match v {
        hcl::Value::Bool(b) => Some(b.to_string()),
        hcl::Value::Number(n) => Some(n.to_string()),
        hcl::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Evaluates the Terraform deployments' unknown settings with their module's values. A value
/// that evaluates to `null` is not set, as Terraform reads it; a resource whose `count` is 0
/// or whose `for_each` is empty is not created (a literal `count = 0` needs no module). The
/// markers of `count`, `for_each` and dynamic blocks are dropped: what nothing decided reads
/// as written.
pub fn evaluate_terraform(kb: &Kb, files: &FileTable, facts: &mut Facts) {
    let values = std::mem::take(&mut facts.tf_values);
    let mut modules = Modules::new(files, &values);
    let mut created = Vec::with_capacity(facts.deployments.len());
    for d in &mut facts.deployments {
        if d.source != "terraform" {
            created.push(true);
            continue;
        }
        let name = files.name(d.file());
        let dir = name.rsplit_once('/').map_or("", |(dir, _)| dir);
        let module = if modules.knows(dir) {
            modules.get(dir, 0)
        } else {
            None
        };
        let ctx = module.map_or_else(
            || {
                let mut ctx = Context::new();
                declare_functions(&mut ctx);
                ctx
            },
            Module::context,
        );
        // `count = var.cluster_mode ? 0 : 1`
        created.push(!d.settings.iter().any(|s| {
            s.key.starts_with(CREATED)
                && evaluate(unwrapped(&s.value), &ctx).is_some_and(|v| none(&v))
        }));
        d.settings.retain(|s| !s.key.starts_with(CREATED));
        match module {
            Some(module) => evaluate_settings(kb, module, &ctx, d),
            None => d.settings.retain(|s| !s.key.starts_with(DYNAMIC)),
        }
    }
    let mut created = created.into_iter();
    facts.deployments.retain(|_| created.next().unwrap_or(true));
    facts.tf_values = values;
}

/// An expression's text without its `${…}`.
fn unwrapped(value: &str) -> &str {
    value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .unwrap_or(value)
}

/// Whether a `count` or `for_each` value creates nothing: 0, null, or an empty collection.
fn none(v: &hcl::Value) -> bool {
    match v {
        hcl::Value::Null => true,
        hcl::Value::Number(n) => n.as_f64() == Some(0.0),
        hcl::Value::Array(a) => a.is_empty(),
        hcl::Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// One resource's settings evaluated with its module's values: a dynamic block whose for_each
/// is empty is not written (what it would set goes, and what the resource means by leaving it
/// out takes its place); an expression takes its value, `null` the resource's default.
fn evaluate_settings(
    kb: &Kb,
    module: &Module,
    ctx: &Context<'_>,
    d: &mut crate::extract::Deployment,
) {
    let (dynamic, settings): (Vec<_>, Vec<_>) = std::mem::take(&mut d.settings)
        .into_iter()
        .partition(|s| s.key.starts_with(DYNAMIC));
    d.settings = settings;
    for block in dynamic {
        let name = &block.key[DYNAMIC.len()..];
        let each = unwrapped(&block.value);
        let empty = evaluate(each, ctx).is_some_and(|v| none(&v));
        if !empty {
            continue;
        }
        let (from, to) = (block.span.range.start, block.span.range.end);
        d.settings.retain(|s| {
            !(s.span.file == block.span.file
                && s.span.range.start >= from
                && s.span.range.end <= to)
        });
        if let Some(default) = left_out(kb, &d.evidence, name) {
            let how = module.how(each);
            d.settings.retain(|s| s.key != name);
            d.settings.push(crate::extract::Setting {
                key: name.to_owned(),
                value: default,
                span: block.span,
                origin: Origin::Absent(format!("{name} (its for_each is empty: {how})")),
            });
        }
    }
    let mut kept = Vec::with_capacity(d.settings.len());
    for mut s in std::mem::take(&mut d.settings) {
        let expr = s
            .value
            .strip_prefix("${")
            .and_then(|v| v.strip_suffix('}'))
            .filter(|_| s.origin == Origin::Written)
            .map(str::to_owned);
        let expr = expr.as_deref();
        if let Some(expr) = expr
            && let Some(value) = evaluate(expr, ctx)
        {
            // `null` leaves the attribute out: it takes what the resource means by
            // leaving it out (`auth_token|none`), where its mapping says
            if value.is_null() {
                if let Some(default) = left_out(kb, &d.evidence, &s.key) {
                    s.value = default;
                    s.origin = Origin::Absent(format!("{} (null: {})", s.key, module.how(expr)));
                    kept.push(s);
                }
                continue;
            }
            if let Some(text) = scalar(&value) {
                let how = module.how(expr);
                s.origin = Origin::Evaluated(if how.is_empty() {
                    format!("{expr}, evaluated")
                } else {
                    how
                });
                s.value = text;
            }
        }
        kept.push(s);
    }
    d.settings = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Option<String> {
        let mut ctx = Context::new();
        declare_functions(&mut ctx);
        let mut vars = hcl::Map::new();
        vars.insert("replicas".to_owned(), hcl::Value::from(0u64));
        vars.insert("token".to_owned(), hcl::Value::Null);
        ctx.declare_var("var", hcl::Value::Object(vars));
        evaluate(text, &ctx).as_ref().and_then(scalar)
    }

    #[test]
    fn the_common_functions_evaluate_as_terraform_defines_them() {
        assert_eq!(value("max(1, var.replicas)").as_deref(), Some("1"));
        assert_eq!(value("min(3, 2)").as_deref(), Some("2"));
        assert_eq!(
            value("coalesce(var.token, \"\", \"set\")").as_deref(),
            Some("set")
        );
        assert_eq!(value("lookup({a = 1}, \"b\", 2)").as_deref(), Some("2"));
        assert_eq!(value("lookup({a = 1}, \"a\", 2)").as_deref(), Some("1"));
        assert_eq!(value("length([1, 2, 3])").as_deref(), Some("3"));
        assert_eq!(value("tonumber(\"2\") > 1").as_deref(), Some("true"));
        assert_eq!(value("tostring(var.replicas)").as_deref(), Some("0"));
        // a function Terraform has and busfit does not declare stays unknown
        assert_eq!(value("upper(\"x\")"), None);
        // so does a variable with no value, and a resource's attribute
        assert_eq!(value("var.missing"), None);
        assert_eq!(value("aws_elasticache_subnet_group.default.name"), None);
    }
}
