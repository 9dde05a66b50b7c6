//! Managed buses declared in Terraform (issue 11): resources are deployments with
//! `source: terraform` at the resource's type label, their attributes are settings, values set
//! from variables or expressions are never judged, and a file that does not parse is BF001 at
//! the error.

mod common;
use common::json;

const DIR: &str = "fixtures/terraform/managed";

fn findings() -> Vec<serde_json::Value> {
    json(&["check", DIR, "--format", "json", "--fail-on", "never"])["findings"]
        .as_array()
        .unwrap()
        .clone()
}

fn at(code: &str, file: &str) -> Vec<u64> {
    let file = format!("{DIR}/{file}");
    common::found(DIR)
        .into_iter()
        .filter(|(c, f, _)| c == code && *f == file)
        .map(|(_, _, line)| line)
        .collect()
}

#[test]
fn resources_are_deployments_at_their_type_label() {
    let inv = json(&["inventory", DIR, "--format", "json"]);
    let d: Vec<(String, String, u64, String)> = inv["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["bus"].as_str().unwrap().to_owned(),
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        d.contains(&(
            "kafka".into(),
            format!("{DIR}/msk.tf"),
            2,
            "terraform".into()
        )),
        "{d:?}"
    );
    assert!(
        d.contains(&(
            "redis".into(),
            format!("{DIR}/elasticache.tf"),
            1,
            "terraform".into()
        )),
        "{d:?}"
    );
    // a Memcached cluster is not Redis; a module and a security group are not buses
    assert_eq!(d.len(), 2, "{d:?}");
}

#[test]
fn attributes_are_judged_and_expressions_are_not() {
    // written on the resource: at the attribute
    assert_eq!(at("BF967", "msk.tf"), [26]);
    // one node without failover: one cause, said once at the size
    assert_eq!(at("BF970", "elasticache.tf"), [7]);
    // left out, meaning no TLS and no token: at the resource
    assert_eq!(at("BF965", "elasticache.tf"), [1]);
    assert!(at("BF967", "elasticache.tf").contains(&1));
    // the cluster's aws_msk_configuration joins it; its server_properties are read line by line
    assert_eq!(at("BF902", "msk.tf"), [41]);
    assert!(
        at("BF904", "msk.tf").is_empty(),
        "a ${{var}} value is unknown"
    );
    // client_broker and number_of_broker_nodes come from variables: unknown, never judged
    assert!(at("BF965", "msk.tf").is_empty());
    assert!(at("BF933", "msk.tf").is_empty());
}

#[test]
fn a_broken_file_is_bf001_at_the_error() {
    let f = findings();
    let broken: Vec<&serde_json::Value> = f.iter().filter(|f| f["code"] == "BF001").collect();
    assert_eq!(broken.len(), 1, "{f:?}");
    assert_eq!(broken[0]["file"], format!("{DIR}/broken.tf"));
    assert_eq!(broken[0]["line"], 5);
    assert!(
        broken[0]["message"]
            .as_str()
            .unwrap()
            .contains("invalid Terraform (HCL)"),
        "{}",
        broken[0]
    );
}

/// A managed service's own limits are facts of its resource: Event Hubs takes events of 1 MB
/// at most, whatever a Kafka client asks.
#[test]
fn a_managed_limit_is_judged_at_the_resource() {
    let f = common::first_finding("fixtures/terraform/eventhubs", "BF910");
    assert_eq!(f["file"], "fixtures/terraform/eventhubs/eventhubs.tf");
    assert_eq!(f["line"], 1);
    assert_eq!(f["severity"], "error");
}

/// A module whose resource takes everything from variables (modelled on the community
/// ElastiCache modules): the values are evaluated as `terraform plan` would with no state
/// (defaults, terraform.tfvars over them, a local's conditional, `null` as not set); each
/// finding points at the attribute and names where its value came from. What depends on a
/// resource's attribute or a variable with no value stays unknown.
#[test]
fn module_values_are_evaluated_and_named() {
    let dir = "fixtures/terraform/module-defaults";
    let got: Vec<(String, u64)> = common::found(dir)
        .into_iter()
        .filter(|(_, file, _)| file.ends_with("main.tf"))
        .map(|(code, _, line)| (code, line))
        .collect();
    // one node and no failover are one cause, said once (BF970 at the size); a replica that is
    // never promoted would be BF990
    let want: Vec<(String, u64)> = [("BF970", 12), ("BF965", 14), ("BF967", 15)]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), *l))
        .collect();
    assert_eq!(got, want);
    // the labels say where each value came from
    let out = common::busfit(&["check", dir]);
    for said in [
        "num_cache_clusters = 1, from var.cluster_size: its default, variables.tf:12",
        "transit_encryption_enabled = false, from var.transit_encryption_enabled: set in terraform.tfvars:2",
        "auth_token (null: var.auth_token: its default, variables.tf:33) is not set",
    ] {
        assert!(out.stdout.contains(said), "{said}\n{}", out.stdout);
    }
    // inventory gives the layer; a name built from a variable without a value, and a subnet
    // group read from another resource, stay unknown
    let inv = json(&["inventory", dir, "--format", "json"]);
    let settings = inv["deployments"][0]["settings"].as_array().unwrap();
    let size = settings
        .iter()
        .find(|s| s["key"] == "num_cache_clusters")
        .unwrap();
    assert_eq!(
        (size["layer"].as_str(), size["value"].as_str()),
        (Some("evaluated"), Some("1"))
    );
    // a local says what it is built from
    let failover = settings
        .iter()
        .find(|s| s["key"] == "automatic_failover_enabled")
        .unwrap();
    assert_eq!(failover["value"], "false");
    assert!(
        failover["from"]
            .as_str()
            .unwrap()
            .contains("local.failover: a local, main.tf:4, from var.cluster_mode_enabled"),
        "{failover}"
    );
    assert!(
        !settings
            .iter()
            .any(|s| s["value"].as_str().unwrap().contains("shop"))
    );
}

/// The same module with terraform.tfvars and a `*.auto.tfvars` file that give it two nodes,
/// failover and a token: nothing about the resource is reported. A `staging.tfvars` that only
/// `-var-file` would load is not read.
#[test]
fn values_files_terraform_loads_override_defaults() {
    let v = json(&[
        "check",
        "fixtures/terraform/module-overridden",
        "--format",
        "json",
    ]);
    let on_resource: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().ends_with(".tf"))
        .collect();
    assert!(on_resource.is_empty(), "{on_resource:?}");
    // a later values file wins: production.auto.tfvars over terraform.tfvars
    let inv = json(&[
        "inventory",
        "fixtures/terraform/module-overridden",
        "--format",
        "json",
    ]);
    let size = inv["deployments"][0]["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "num_cache_clusters")
        .unwrap()
        .clone();
    assert_eq!(size["value"], "3", "{size}");
    assert!(
        size["from"]
            .as_str()
            .unwrap()
            .contains("production.auto.tfvars:5"),
        "{size}"
    );
}

/// Authentication left off by a resource's own switch or by leaving it out (issue 24): an MSK
/// cluster without a `client_authentication` block, MemoryDB on the `open-access` ACL,
/// Memorystore for Redis Cluster with authorization at its default; each at the resource or
/// the attribute, under a flow that requires authentication.
#[test]
fn managed_authentication_left_off() {
    let dir = "fixtures/terraform/auth-modes";
    let v = json(&["check", dir, "--format", "json"]);
    // (code, line, bus): the bus is in the JSON report only
    let got: Vec<(String, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BF988")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["bus"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, u64, String)> = [(4, "kafka"), (20, "redis"), (23, "redis")]
        .iter()
        .map(|(l, b)| ("BF988".to_owned(), *l, (*b).to_owned()))
        .collect();
    assert_eq!(got, want);
    // RBAC user groups authenticate the sessions group: no BF967; the single-node cache
    // cluster is named by its own attribute, num_cache_nodes, and no transit advice is given
    // for it (that resource encrypts in transit only for Memcached)
    let codes: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line"].as_u64().unwrap() > 30)
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(codes, [("BF970".to_owned(), 51)]);
    let m = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BF970")
        .unwrap()["message"]
        .as_str()
        .unwrap();
    assert!(m.starts_with("num_cache_nodes = 1"), "{m}");
}

/// A `dynamic` block is written only when its `for_each` is not empty (modelled on the
/// community MSK module): left at its default (null), the cluster has no client
/// authentication (BF988 at the block, naming the variable); given by terraform.tfvars, it has.
#[test]
fn a_dynamic_block_with_an_empty_for_each_is_not_written() {
    let got: Vec<(String, String, u64)> = common::found("fixtures/terraform/dynamic-auth")
        .into_iter()
        .filter(|(_, file, _)| file.ends_with(".tf"))
        .collect();
    assert_eq!(
        got,
        [(
            "BF988".to_owned(),
            "fixtures/terraform/dynamic-auth/default/main.tf".to_owned(),
            14
        )]
    );
    let out = common::busfit(&["check", "fixtures/terraform/dynamic-auth"]);
    assert!(
        out.stdout.contains("client_authentication (its for_each is empty: var.client_authentication: its default, variables.tf:19) is not set"),
        "{}",
        out.stdout
    );
}

/// A root module calling its own module (`source = "./modules/cache"`): the call's arguments
/// are the module's variables, evaluated with the root's values (`cluster_size =
/// var.cache_nodes`, whose default is 1), and override the module's defaults (transit
/// encryption on). An argument with no value (a token the pipeline gives) stays unknown. The
/// module's example under `examples/` only shows how to call it: its `cluster_size = 3` does
/// not make the two calls disagree.
#[test]
fn a_module_call_gives_its_arguments_to_the_module() {
    let dir = "fixtures/terraform/module-call";
    let got: Vec<(String, String, u64)> = common::found(dir)
        .into_iter()
        .filter(|(_, file, _)| file.ends_with(".tf"))
        .collect();
    assert_eq!(
        got,
        [(
            "BF970".to_owned(),
            format!("{dir}/modules/cache/main.tf"),
            6
        )]
    );
    let out = common::busfit(&["check", dir]);
    let said = format!(
        "num_cache_clusters = 1, from var.cluster_size: set by module \"sessions\", {dir}/main.tf:7, from var.cache_nodes: its default, variables.tf:3"
    );
    assert!(out.stdout.contains(&said), "{said}\n{}", out.stdout);
}

/// docs/terraform-parity.md names, for each checkov check busfit covers, the rule that covers
/// it and the resource it is on: each rule exists, and each resource is one a profile reads.
#[test]
fn the_checkov_parity_table_names_real_rules_and_resources() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/terraform-parity.md")).unwrap();
    let rules = json(&["rules", "--format", "json"]);
    let codes: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    let mut profiles = String::new();
    for e in std::fs::read_dir(root.join("rules/buses"))
        .unwrap()
        .flatten()
    {
        profiles.push_str(&std::fs::read_to_string(e.path()).unwrap());
    }
    let covered = doc
        .split("## Covered")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let mut rows = 0;
    for row in covered.lines().filter(|l| l.starts_with("| CKV")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (resource, busfit) = (cells[2], cells[4]);
        assert!(
            profiles.contains(&format!("resource: {resource}")),
            "{resource} is read by no profile: {row}"
        );
        let named: Vec<&str> = busfit
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.starts_with("BF"))
            .collect();
        assert!(!named.is_empty(), "{row}");
        for code in named {
            assert!(codes.contains(&code), "{code} is no rule: {row}");
        }
        rows += 1;
    }
    assert!(rows >= 14, "{rows} rows");
}

/// `count` decides whether a resource is created (modelled on modules that pick cluster mode
/// with `count = var.cluster_mode ? 1 : 0`): with the default, only the sharded group exists,
/// and its missing replicas are BF970; the other shape and a `count = 0` resource are not
/// deployments at all, so their one node and plaintext say nothing.
#[test]
fn a_resource_whose_count_is_zero_is_not_created() {
    let dir = "fixtures/terraform/count";
    let got: Vec<(String, String, u64)> = common::found(dir)
        .into_iter()
        .filter(|(_, file, _)| file.ends_with(".tf"))
        .collect();
    assert_eq!(got, [("BF970".to_owned(), format!("{dir}/main.tf"), 21)]);
    let inv = json(&["inventory", dir, "--format", "json"]);
    let names: Vec<&str> = inv["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sharded"]);
}
