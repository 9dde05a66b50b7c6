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
    assert_eq!(at("BF970", "elasticache.tf"), [7, 8]);
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
    let v = json(&[
        "check",
        "fixtures/terraform/eventhubs",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BF910")
        .unwrap_or_else(|| panic!("no BF910: {v:#}"))
        .clone();
    assert_eq!(f["file"], "fixtures/terraform/eventhubs/eventhubs.tf");
    assert_eq!(f["line"], 1);
    assert_eq!(f["severity"], "error");
}
