//! Typed quantities: durations, rates, sizes and counts, as written in busfit.yaml
//! (`0.5ms`, `50k/s`, `4KiB`, `200k`) and in the bus profiles.

use std::fmt;

/// What a quantity measures. Values are stored in base units:
/// seconds, messages per second, bytes, plain counts, bytes per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Dim {
    Number,
    Duration,
    Rate,
    Size,
    Count,
    Bandwidth,
}

impl Dim {
    pub fn name(self) -> &'static str {
        match self {
            Dim::Number => "number",
            Dim::Duration => "duration",
            Dim::Rate => "rate",
            Dim::Size => "size",
            Dim::Count => "count",
            Dim::Bandwidth => "bandwidth",
        }
    }

    /// Examples of accepted spellings, for diagnostics.
    pub fn examples(self) -> &'static str {
        match self {
            Dim::Number => "a number such as 3",
            Dim::Duration => {
                "a duration such as 0.5ms, 20ms, 2s, 1h, 7d or forever (units: us, ms, s, m, min, h, d, w)"
            }
            Dim::Rate => "a rate such as 800/s, 50k/s, 2M/s or 1.2M/min (per s, min, h, d)",
            Dim::Size => {
                "a size such as 512B, 4KiB, 1MB or 2GiB (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
            }
            Dim::Count => "a count such as 500, 200k or 1.5M",
            Dim::Bandwidth => "a bandwidth such as 100MB/s",
        }
    }

    /// A regular expression for the spellings the parser accepts, for the JSON Schema.
    pub fn pattern(self) -> &'static str {
        match self {
            Dim::Duration => {
                r"^(forever|0|[0-9][0-9_]*(\.[0-9]+)?(ns|us|µs|ms|s|sec|m|min|h|d|w|y))$"
            }
            Dim::Rate => {
                r"^(0|[0-9][0-9_]*(\.[0-9]+)?[kKMGBb]?/([0-9]+(\.[0-9]+)?)?(ns|us|ms|s|sec|m|min|h|d|w|y))$"
            }
            Dim::Size => {
                r"^(0|[0-9][0-9_]*(\.[0-9]+)?(B|b|KB|kB|K|k|MB|M|GB|G|TB|T|KiB|Ki|MiB|Mi|GiB|Gi|TiB|Ti))$"
            }
            Dim::Count | Dim::Number => r"^[0-9][0-9_]*(\.[0-9]+)?[kKMGBb]?$",
            Dim::Bandwidth => r"^[0-9][0-9_]*(\.[0-9]+)?[kKMGT]?i?B/s$",
        }
    }

    /// Whether two dimensions can be compared.
    pub fn compatible(self, other: Dim) -> bool {
        self == other
            || matches!(
                (self, other),
                (Dim::Number, Dim::Count) | (Dim::Count, Dim::Number)
            )
    }

    /// The dimension of a product, if it means something.
    pub fn times(self, other: Dim) -> Option<Dim> {
        use Dim::*;
        Some(match (self, other) {
            (Number, d) | (d, Number) => d,
            (Rate, Duration) | (Duration, Rate) => Count,
            (Count, Size) | (Size, Count) => Size,
            (Rate, Size) | (Size, Rate) => Bandwidth,
            (Bandwidth, Duration) | (Duration, Bandwidth) => Size,
            (Count, Count) => Count,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Quantity {
    pub value: f64,
    pub dim: Dim,
}

impl Quantity {
    pub const fn new(value: f64, dim: Dim) -> Self {
        Quantity { value, dim }
    }
}

/// Splits `12.5ms` into (12.5, "ms").
fn split_number(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '_'))
        .map_or(s.len(), |(i, _)| i);
    let (num, rest) = s.split_at(end);
    if num.is_empty() || num.starts_with('.') && num.len() == 1 {
        return None;
    }
    let cleaned: String = num.chars().filter(|c| *c != '_').collect();
    let v: f64 = cleaned.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some((v, rest.trim()))
}

fn magnitude(suffix: &str) -> Option<f64> {
    Some(match suffix {
        "" => 1.0,
        "k" | "K" => 1e3,
        "M" | "m" => 1e6,
        "G" | "B" | "b" => 1e9,
        _ => return None,
    })
}

fn time_unit(u: &str) -> Option<f64> {
    Some(match u {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        "y" => 31_536_000.0,
        _ => return None,
    })
}

pub fn parse_duration(s: &str) -> Option<f64> {
    let t = s.trim();
    if t == "forever" || t == "infinite" || t == "unlimited" {
        return Some(f64::INFINITY);
    }
    let (v, unit) = split_number(t)?;
    if unit.is_empty() {
        return (v == 0.0).then_some(0.0);
    }
    Some(v * time_unit(unit)?)
}

pub fn parse_rate(s: &str) -> Option<f64> {
    let t = s.trim();
    if t == "0" {
        return Some(0.0);
    }
    let (count, per) = t.split_once('/')?;
    let (v, suffix) = split_number(count)?;
    let per = per.trim();
    let per_secs = if per.chars().next()?.is_ascii_digit() {
        parse_duration(per)?
    } else {
        time_unit(per)?
    };
    if per_secs <= 0.0 || !per_secs.is_finite() {
        return None;
    }
    // `m` means million in a count, never minute: minutes are `/min` or `/m` after the slash
    let mag = match suffix {
        "m" => return None,
        s => magnitude(s)?,
    };
    Some(v * mag / per_secs)
}

pub fn parse_size(s: &str) -> Option<f64> {
    let t = s.trim();
    let (v, unit) = split_number(t)?;
    let mult = match unit {
        "" => {
            return (v == 0.0).then_some(0.0);
        }
        "B" | "b" => 1.0,
        "KB" | "kB" | "K" | "k" => 1e3,
        "MB" | "M" => 1e6,
        "GB" | "G" => 1e9,
        "TB" | "T" => 1e12,
        "KiB" | "Ki" => 1024.0,
        "MiB" | "Mi" => 1024.0 * 1024.0,
        "GiB" | "Gi" => 1024.0 * 1024.0 * 1024.0,
        "TiB" | "Ti" => 1024.0f64.powi(4),
        _ => return None,
    };
    Some(v * mult)
}

pub fn parse_count(s: &str) -> Option<f64> {
    let (v, suffix) = split_number(s)?;
    let mag = match suffix {
        "m" => return None,
        s => magnitude(s)?,
    };
    Some(v * mag)
}

/// Parses a quantity of a known dimension.
pub fn parse_as(s: &str, dim: Dim) -> Option<Quantity> {
    let v = match dim {
        Dim::Duration => parse_duration(s)?,
        Dim::Rate => parse_rate(s)?,
        Dim::Size => parse_size(s)?,
        Dim::Count => parse_count(s)?,
        Dim::Number => split_number(s).filter(|(_, u)| u.is_empty())?.0,
        Dim::Bandwidth => {
            let (size, per) = s.split_once('/')?;
            parse_size(size)? / time_unit(per.trim())?
        }
    };
    Some(Quantity::new(v, dim))
}

/// Guesses the dimension of a profile literal: `2ms`, `50k/s`, `1MiB`, `200k`.
pub fn parse_any(s: &str) -> Option<Quantity> {
    let t = s.trim();
    if !t.starts_with(|c: char| c.is_ascii_digit()) && t != "forever" {
        return None;
    }
    if t.contains('/') {
        if let Some(q) = parse_as(t, Dim::Rate) {
            return Some(q);
        }
        return parse_as(t, Dim::Bandwidth);
    }
    for dim in [Dim::Number, Dim::Size, Dim::Duration, Dim::Count] {
        // in profiles a size always spells its byte unit: `100k` is a count, `100kB` a size
        if dim == Dim::Size && !t.ends_with('B') {
            continue;
        }
        if let Some(q) = parse_as(t, dim) {
            return Some(q);
        }
    }
    None
}

fn trim_float(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn count_text(v: f64) -> String {
    if v >= 1e9 {
        format!("{}G", trim_float(v / 1e9))
    } else if v >= 1e6 {
        format!("{}M", trim_float(v / 1e6))
    } else if v >= 1e3 {
        format!("{}k", trim_float(v / 1e3))
    } else {
        trim_float(v)
    }
}

fn size_text(v: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    // history kept forever grows without bound
    if v.is_infinite() {
        return "an unbounded amount".into();
    }
    let mut x = v;
    let mut i = 0;
    while x >= 1024.0 && i + 1 < UNITS.len() {
        x /= 1024.0;
        i += 1;
    }
    // a size written in decimal units (1MB, 38MB) reads back in them, not as 976.56KiB
    if x.fract() != 0.0 {
        const DECIMAL: [(f64, &str); 4] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")];
        if let Some((scale, unit)) = DECIMAL
            .iter()
            .find(|(scale, _)| v >= *scale)
            .filter(|(scale, _)| (v / scale).fract() == 0.0)
        {
            return format!("{}{unit}", trim_float(v / scale));
        }
    }
    format!("{}{}", trim_float(x), UNITS[i])
}

fn duration_text(v: f64) -> String {
    if v.is_infinite() {
        return "forever".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let units = [
        (86_400.0, "d"),
        (3600.0, "h"),
        (60.0, "min"),
        (1.0, "s"),
        (1e-3, "ms"),
        (1e-6, "us"),
    ];
    for (scale, name) in units {
        if v >= scale {
            return format!("{}{}", trim_float(v / scale), name);
        }
    }
    format!("{}ns", trim_float(v * 1e9))
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value;
        match self.dim {
            Dim::Number => f.write_str(&trim_float(v)),
            Dim::Count => f.write_str(&count_text(v)),
            Dim::Rate => write!(f, "{}/s", count_text(v)),
            Dim::Size => f.write_str(&size_text(v)),
            Dim::Bandwidth => write!(f, "{}/s", size_text(v)),
            Dim::Duration => f.write_str(&duration_text(v)),
        }
    }
}

/// The largest value a requirement of a dimension takes: far beyond any bus (a trillion
/// messages a second, a pebibyte, a thousand years), below where a float stops counting units.
#[must_use]
pub fn most(dim: Dim) -> f64 {
    match dim {
        Dim::Rate | Dim::Count | Dim::Number => 1e12,
        Dim::Size => 1024f64.powi(5),
        Dim::Bandwidth => 1024f64.powi(5),
        Dim::Duration => 1000.0 * 365.25 * 86_400.0,
    }
}

/// [`most`] as people write it.
#[must_use]
pub fn most_text(dim: Dim) -> &'static str {
    match dim {
        Dim::Rate => "1000G/s",
        Dim::Count | Dim::Number => "1000G",
        Dim::Size => "1PiB",
        Dim::Bandwidth => "1PiB/s",
        Dim::Duration => "1000 years (or forever)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0.5ms"), Some(0.0005));
        assert_eq!(parse_duration("20ms"), Some(0.02));
        assert_eq!(parse_duration("2s"), Some(2.0));
        assert_eq!(parse_duration("7d"), Some(604_800.0));
        assert_eq!(parse_duration("0"), Some(0.0));
        assert_eq!(parse_duration("forever"), Some(f64::INFINITY));
        assert_eq!(parse_duration("fast"), None);
        assert_eq!(parse_duration("20"), None);
        assert_eq!(parse_duration("ms"), None);
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("800/s"), Some(800.0));
        assert_eq!(parse_rate("50k/s"), Some(50_000.0));
        assert_eq!(parse_rate("2M/s"), Some(2_000_000.0));
        assert_eq!(parse_rate("1.2M/min"), Some(20_000.0));
        assert_eq!(parse_rate("2m/s"), None);
        assert_eq!(parse_rate("800"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512B"), Some(512.0));
        assert_eq!(parse_size("4KiB"), Some(4096.0));
        assert_eq!(parse_size("1MB"), Some(1e6));
        assert_eq!(parse_size("2GiB"), Some(2.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse_size("12"), None);
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("200k"), Some(200_000.0));
        assert_eq!(parse_count("1.5M"), Some(1_500_000.0));
        assert_eq!(parse_count("10_000"), Some(10_000.0));
        assert_eq!(parse_count("many"), None);
    }

    #[test]
    fn display_round_trips() {
        for (s, d) in [
            ("20ms", Dim::Duration),
            ("7d", Dim::Duration),
            ("50k/s", Dim::Rate),
            ("4KiB", Dim::Size),
            ("200k", Dim::Count),
        ] {
            let q = parse_as(s, d).unwrap();
            assert_eq!(q.to_string(), s);
        }
    }
}
