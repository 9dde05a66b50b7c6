//! docs/scenarios.md is what `busfit recommend` says of each scenario under
//! fixtures/scenarios/ (issue 25): its top three and the designs it names. A change to rules/
//! that moves a pick fails here until the table (bench/scenarios.py) and its reading are
//! redone.

mod common;
use common::json;

#[test]
fn the_scenarios_table_is_what_recommend_says() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/scenarios.md")).unwrap();
    let table = doc
        .split("<!-- scenarios:begin -->")
        .nth(1)
        .and_then(|s| s.split("<!-- scenarios:end -->").next())
        .expect("the table's markers");
    let mut rows = 0;
    for row in table.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let name = cells[0]
            .trim_start_matches("| `")
            .split('`')
            .next()
            .unwrap();
        let v = json(&[
            "recommend",
            &format!("fixtures/scenarios/{name}"),
            "--format",
            "json",
        ]);
        let flow = &v["flows"][0];
        let three: Vec<String> = flow["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .take(3)
            .map(|r| {
                let bus = r["bus"].as_str().unwrap();
                if r["fits"] == true {
                    bus.to_owned()
                } else {
                    format!("{bus} (does not fit)")
                }
            })
            .collect();
        assert_eq!(cells[2], three.join(", "), "{name}: {row}");
        let designs: Vec<&str> = flow["designs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        let shown = if designs.is_empty() {
            "—".to_owned()
        } else {
            designs.join(", ")
        };
        assert_eq!(cells[4].trim_end_matches(" |"), shown, "{name}");
        rows += 1;
    }
    let folders = std::fs::read_dir(root.join("fixtures/scenarios"))
        .unwrap()
        .count();
    assert_eq!(rows, folders, "every scenario has its row");
    assert!(rows >= 20, "{rows} scenarios");
}
