//! Property tests: quantity parsing, and output that depends on nothing but the input
//! (not the thread count, not the order in which files were created on disk).

mod common;
use common::*;
use proptest::prelude::*;
use std::path::Path;

use busfit::lang::quantity::{
    Dim, Quantity, parse_as, parse_count, parse_duration, parse_rate, parse_size,
};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
}

const SIZE_UNITS: &[(&str, f64)] = &[
    ("B", 1.0),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("KiB", 1024.0),
    ("MiB", 1048576.0),
    ("GiB", 1073741824.0),
];
const TIME_UNITS: &[(&str, f64)] = &[
    ("us", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("min", 60.0),
    ("h", 3600.0),
    ("d", 86400.0),
    ("w", 604800.0),
];
const MAGNITUDES: &[(&str, f64)] = &[("", 1.0), ("k", 1e3), ("M", 1e6), ("G", 1e9)];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Nothing a user can type makes a parser panic, and what parses is a usable number.
    #[test]
    fn parsers_accept_or_refuse_any_text(s in any::<String>()) {
        for v in [parse_duration(&s), parse_rate(&s), parse_size(&s), parse_count(&s)].into_iter().flatten() {
            prop_assert!(v >= 0.0 && !v.is_nan(), "{s:?} gave {v}");
        }
        for dim in [Dim::Duration, Dim::Rate, Dim::Size, Dim::Count, Dim::Number, Dim::Bandwidth] {
            if let Some(q) = parse_as(&s, dim) {
                prop_assert!(!q.value.is_nan());
                let _ = q.to_string();
            }
        }
    }

    /// Text made of the quantity alphabet, where the interesting mistakes are.
    #[test]
    fn parsers_survive_near_misses(s in "[0-9._ kMGBiKmsuhdwin/µ-]{0,12}") {
        let _ = (parse_duration(&s), parse_rate(&s), parse_size(&s), parse_count(&s));
    }

    #[test]
    fn sizes_scale_by_their_unit(n in 0u32..1_000_000, frac in 0u8..100, u in 0..SIZE_UNITS.len(), pad in "[ ]{0,2}") {
        let (unit, mult) = SIZE_UNITS[u];
        let v = f64::from(n) + f64::from(frac) / 100.0;
        let text = format!("{pad}{n}.{frac:02}{unit}{pad}");
        prop_assert!(close(parse_size(&text).unwrap(), v * mult), "{text}");
    }

    #[test]
    fn durations_scale_by_their_unit(n in 0u32..1_000_000, u in 0..TIME_UNITS.len()) {
        let (unit, mult) = TIME_UNITS[u];
        let text = format!("{n}{unit}");
        prop_assert!(close(parse_duration(&text).unwrap(), f64::from(n) * mult), "{}", text);
    }

    /// `1.2M/min` is 20k/s: a rate is its count over its period, whatever the spelling.
    #[test]
    fn rates_are_counts_over_periods(n in 1u32..100_000, m in 0..MAGNITUDES.len(), u in 0..TIME_UNITS.len()) {
        let (mag, mv) = MAGNITUDES[m];
        let (unit, secs) = TIME_UNITS[u];
        let rate = parse_rate(&format!("{n}{mag}/{unit}")).unwrap();
        prop_assert!(close(rate, f64::from(n) * mv / secs));
        let text = format!("{n}{mag}");
        prop_assert!(close(parse_count(&text).unwrap(), f64::from(n) * mv), "{}", text);
    }

    /// Digit separators change nothing.
    #[test]
    fn underscores_are_separators(n in 1_000u32..100_000_000) {
        let plain = n.to_string();
        let mut grouped = String::new();
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && (plain.len() - i) % 3 == 0 {
                grouped.push('_');
            }
            grouped.push(c);
        }
        prop_assert_eq!(parse_count(&grouped), parse_count(&plain));
        prop_assert_eq!(parse_size(&format!("{grouped}B")), parse_size(&format!("{plain}B")));
    }

    /// What busfit prints in a message reads back as (nearly) the same quantity: findings
    /// quote figures the user can paste into busfit.yaml.
    #[test]
    fn printed_quantities_read_back(v in 1e-6f64..1e12, d in 0..4usize) {
        let dim = [Dim::Duration, Dim::Rate, Dim::Size, Dim::Count][d];
        let q = Quantity::new(v, dim);
        let text = q.to_string();
        let back = parse_as(&text, dim).unwrap_or_else(|| panic!("{text} does not parse back"));
        // two decimals of the chosen unit: within 1% of the value (or of the unit step)
        prop_assert!((back.value - v).abs() <= v * 0.01 + 0.005 * unit_of(&text, dim), "{v} -> {text} -> {}", back.value);
    }
}

/// The size of one unit of the printed text's own unit, for rounding bounds.
fn unit_of(text: &str, dim: Dim) -> f64 {
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let unit_text = format!("1{}", &text[digits.len()..]);
    parse_as(&unit_text, dim).map_or(1.0, |q| q.value)
}

/// Fixture repositories that find something, combined as subfolders of one repository.
fn fixture_dirs() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root().join("fixtures/rules"))
        .unwrap()
        .map(|e| e.unwrap().path().join("fires"))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

fn run_json(dir: &Path, threads: usize) -> String {
    let t = threads.to_string();
    let out = busfit_in(dir, &["check", "--format", "json", "-j", &t]);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    out.stdout
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The same files give byte-identical JSON whatever order they were created in and however
    /// many threads read them.
    #[test]
    fn output_is_independent_of_threads_and_file_order(
        picks in proptest::sample::subsequence((0..70usize).collect::<Vec<_>>(), 3..20),
        order in any::<u64>(),
        threads in 1usize..9,
    ) {
        let all = fixture_dirs();
        let picked: Vec<&std::path::PathBuf> = picks.iter().filter_map(|i| all.get(*i)).collect();
        let name = |p: &Path| p.parent().unwrap().file_name().unwrap().to_owned();

        let sorted = tempfile::tempdir().unwrap();
        for p in &picked {
            copy_tree(p, &sorted.path().join(name(p)));
        }
        // the same folders created in a shuffled order (directory order differs on disk)
        let shuffled = tempfile::tempdir().unwrap();
        let mut perm = picked.clone();
        let mut seed = order | 1;
        for i in (1..perm.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            perm.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for p in &perm {
            copy_tree(p, &shuffled.path().join(name(p)));
        }
        let reference = run_json(sorted.path(), 1);
        prop_assert!(reference.contains("\"code\""), "the combined repository finds something");
        prop_assert_eq!(&run_json(shuffled.path(), threads), &reference);
        prop_assert_eq!(&run_json(sorted.path(), threads), &reference);
    }
}

/// A monorepo shaped like bench/gen_corpus.py's: dozens of services declaring inline flows
/// with a few distinct requirements, judged against shared brokers (what the evaluation memo
/// and the settings judge share between flows). Every format is byte-identical at every
/// thread count.
#[test]
fn a_monorepo_reads_the_same_at_every_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let deliveries = ["at-least-once", "exactly-once", "at-most-once"];
    let latencies = ["1ms", "5ms", "50ms", "500ms"];
    for i in 0..48 {
        let svc = d.path().join(format!("teams/t{}/svc{i:02}", i % 5));
        std::fs::create_dir_all(svc.join("deploy")).unwrap();
        let (delivery, latency) = (deliveries[i % 3], latencies[(i / 3) % 4]);
        let (bus, image) = [
            ("kafka", "confluentinc/cp-kafka:7.6.1"),
            ("redis", "redis:7.2"),
            ("mqtt", "eclipse-mosquitto:2.0"),
        ][i % 3];
        std::fs::write(
            svc.join("docker-compose.yml"),
            format!(
                "services:\n  broker:\n    image: {image}\n    environment:\n      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: {}\n  app:\n    build: .\n    depends_on: [broker]\n    x-busfit:\n      requires:\n        delivery: {delivery}\n        latency: {latency}\n",
                1 + 2 * (i % 2)
            ),
        )
        .unwrap();
        std::fs::write(
            svc.join("deploy/workload.yaml"),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc{i}\n  annotations:\n    busfit.dev/delivery: {delivery}\n    busfit.dev/latency: {latency}\n    busfit.dev/bus: {bus}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/svc{i}:1.0\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\n"
            ),
        )
        .unwrap();
        if bus == "mqtt" {
            std::fs::write(
                svc.join("mosquitto.conf"),
                format!("listener 1883\nallow_anonymous {}\n", i % 2 == 0),
            )
            .unwrap();
        }
    }
    for format in ["json", "sarif", "full"] {
        let run = |threads: &str| {
            let out = busfit_in(
                d.path(),
                &[
                    "check", "--format", format, "--color", "never", "-j", threads,
                ],
            );
            assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
            out.stdout
        };
        let reference = run("1");
        assert!(reference.contains("BF"), "the monorepo finds something");
        for threads in ["2", "3", "8"] {
            assert_eq!(run(threads), reference, "{format} with {threads} threads");
        }
    }
}
