//! The results: the printed table (Markdown, so that it can be pasted into
//! `RESULTS.md` as is), `results.json` and `results.csv`.

use std::fmt::Write as _;
use std::time::Duration;

use crate::stats::{geomean, median};

/// Where and when the run happened.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub date: String,
    pub commit: String,
    pub cpu: String,
    pub cores: usize,
    pub runs: usize,
    pub warmup: usize,
}

/// One engine's result on one benchmark.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub samples: Vec<Duration>,
    /// Why there is no time (the engine could not load or run the program,
    /// or it gave a wrong answer).
    pub error: Option<String>,
}

impl Cell {
    pub fn median(&self) -> Option<Duration> {
        if self.error.is_some() {
            return None;
        }
        median(&self.samples)
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub program: String,
    /// The native build's output (what every engine had to print).
    pub output: String,
    /// Indexed like `Report::engines`.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub struct EngineInfo {
    pub name: String,
    pub describe: String,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub meta: Meta,
    /// `engines[0]` is native, the baseline.
    pub engines: Vec<EngineInfo>,
    pub rows: Vec<Row>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ratio(a: Option<Duration>, b: Option<Duration>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if !b.is_zero() => Some(a.as_secs_f64() / b.as_secs_f64()),
        _ => None,
    }
}

fn fmt_ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn fmt_ratio(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A short form of an error for a table cell (the full text is a footnote).
fn short(e: &str) -> String {
    let s: String = e.chars().take(48).collect();
    let s = s.replace('|', "/");
    if e.chars().count() > 48 {
        format!("{s}…")
    } else {
        s
    }
}

impl Report {
    fn espb_index(&self) -> Option<usize> {
        self.engines.iter().position(|e| e.name == "espb")
    }

    fn peers(&self) -> Vec<usize> {
        (1..self.engines.len())
            .filter(|&i| self.engines[i].name != "espb")
            .collect()
    }

    /// Geometric mean of engine `i`'s ratio to native over the benchmarks
    /// where both have a time, with the number of benchmarks it covers.
    pub fn geomean_to_native(&self, i: usize) -> (Option<f64>, usize) {
        let v: Vec<f64> = self
            .rows
            .iter()
            .filter_map(|r| ratio(r.cells[i].median(), r.cells[0].median()))
            .collect();
        (geomean(&v), v.len())
    }

    /// Geometric mean of espb's time over peer `p`'s.
    pub fn geomean_espb_vs(&self, p: usize) -> (Option<f64>, usize) {
        let Some(e) = self.espb_index() else {
            return (None, 0);
        };
        let v: Vec<f64> = self
            .rows
            .iter()
            .filter_map(|r| ratio(r.cells[e].median(), r.cells[p].median()))
            .collect();
        (geomean(&v), v.len())
    }

    /// The Markdown tables and their notes.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let mut notes: Vec<String> = Vec::new();
        let note = |e: &str, notes: &mut Vec<String>| -> usize {
            if let Some(i) = notes.iter().position(|n| n == e) {
                i + 1
            } else {
                notes.push(e.to_string());
                notes.len()
            }
        };

        // Table 1: median time per run and ratio to native.
        s.push_str("| benchmark |");
        for e in &self.engines {
            write!(s, " {} |", e.name).unwrap();
        }
        s.push('\n');
        s.push_str("|---|");
        for _ in &self.engines {
            s.push_str("---:|");
        }
        s.push('\n');
        for r in &self.rows {
            write!(s, "| {} |", r.program).unwrap();
            let base = r.cells[0].median();
            for (i, c) in r.cells.iter().enumerate() {
                match (c.median(), &c.error) {
                    (Some(m), _) if i == 0 => write!(s, " {} ms |", fmt_ms(ms(m))).unwrap(),
                    (Some(m), _) => match ratio(Some(m), base) {
                        Some(x) => {
                            write!(s, " {} ms ({}×) |", fmt_ms(ms(m)), fmt_ratio(x)).unwrap()
                        }
                        None => write!(s, " {} ms |", fmt_ms(ms(m))).unwrap(),
                    },
                    (None, Some(e)) => {
                        let n = note(e, &mut notes);
                        write!(s, " n/a: {} [{n}] |", short(e)).unwrap()
                    }
                    (None, None) => s.push_str(" — |"),
                }
            }
            s.push('\n');
        }
        s.push_str("| **geomean ×native** | 1 |");
        for i in 1..self.engines.len() {
            match self.geomean_to_native(i) {
                (Some(g), n) if n == self.rows.len() => {
                    write!(s, " **{}×** |", fmt_ratio(g)).unwrap()
                }
                (Some(g), n) => {
                    write!(s, " **{}×** ({n} of {}) |", fmt_ratio(g), self.rows.len()).unwrap()
                }
                (None, _) => s.push_str(" — |"),
            }
        }
        s.push('\n');

        // Table 2: espb relative to each peer (< 1.0: espb is faster).
        if let Some(e) = self.espb_index() {
            let peers = self.peers();
            if !peers.is_empty() {
                s.push_str("\nespb time / peer time (below 1.00: espb is faster)\n\n| benchmark |");
                for &p in &peers {
                    write!(s, " espb/{} |", self.engines[p].name).unwrap();
                }
                s.push_str("\n|---|");
                for _ in &peers {
                    s.push_str("---:|");
                }
                s.push('\n');
                for r in &self.rows {
                    write!(s, "| {} |", r.program).unwrap();
                    for &p in &peers {
                        match ratio(r.cells[e].median(), r.cells[p].median()) {
                            Some(x) => write!(s, " {} |", fmt_ratio(x)).unwrap(),
                            None => s.push_str(" — |"),
                        }
                    }
                    s.push('\n');
                }
                s.push_str("| **geomean** |");
                for &p in &peers {
                    match self.geomean_espb_vs(p) {
                        (Some(g), n) if n == self.rows.len() => {
                            write!(s, " **{}** |", fmt_ratio(g)).unwrap()
                        }
                        (Some(g), n) => {
                            write!(s, " **{}** ({n} of {}) |", fmt_ratio(g), self.rows.len())
                                .unwrap()
                        }
                        (None, _) => s.push_str(" — |"),
                    }
                }
                s.push('\n');
            }
        }

        if !notes.is_empty() {
            s.push('\n');
            for (i, n) in notes.iter().enumerate() {
                writeln!(s, "[{}] {}", i + 1, n.replace('\n', " ")).unwrap();
            }
        }
        s
    }

    pub fn csv(&self) -> String {
        let mut s = String::from(
            "benchmark,engine,median_ms,ratio_to_native,espb_over_engine,samples,error\n",
        );
        let e = self.espb_index();
        for r in &self.rows {
            let base = r.cells[0].median();
            for (i, c) in r.cells.iter().enumerate() {
                let m = c.median();
                let espb_ratio = e.and_then(|e| ratio(r.cells[e].median(), m));
                writeln!(
                    s,
                    "{},{},{},{},{},{},{}",
                    r.program,
                    self.engines[i].name,
                    m.map(|m| format!("{:.4}", ms(m))).unwrap_or_default(),
                    ratio(m, base)
                        .map(|x| format!("{x:.4}"))
                        .unwrap_or_default(),
                    espb_ratio.map(|x| format!("{x:.4}")).unwrap_or_default(),
                    c.samples.len(),
                    csv_field(c.error.as_deref().unwrap_or("")),
                )
                .unwrap();
            }
        }
        s
    }

    pub fn json(&self) -> String {
        let mut s = String::from("{\n");
        let m = &self.meta;
        writeln!(
            s,
            "  \"meta\": {{\"date\": {}, \"commit\": {}, \"cpu\": {}, \"cores\": {}, \"runs\": {}, \"warmup\": {}}},",
            js(&m.date),
            js(&m.commit),
            js(&m.cpu),
            m.cores,
            m.runs,
            m.warmup
        )
        .unwrap();
        s.push_str("  \"engines\": [\n");
        for (i, e) in self.engines.iter().enumerate() {
            let comma = if i + 1 < self.engines.len() { "," } else { "" };
            writeln!(
                s,
                "    {{\"name\": {}, \"describe\": {}}}{comma}",
                js(&e.name),
                js(&e.describe)
            )
            .unwrap();
        }
        s.push_str("  ],\n  \"benchmarks\": [\n");
        let espb = self.espb_index();
        for (ri, r) in self.rows.iter().enumerate() {
            writeln!(
                s,
                "    {{\"name\": {}, \"output\": {}, \"results\": {{",
                js(&r.program),
                js(r.output.trim())
            )
            .unwrap();
            let base = r.cells[0].median();
            for (i, c) in r.cells.iter().enumerate() {
                let comma = if i + 1 < r.cells.len() { "," } else { "" };
                let samples: Vec<String> =
                    c.samples.iter().map(|d| format!("{:.4}", ms(*d))).collect();
                match (c.median(), &c.error) {
                    (Some(med), _) => {
                        let mut extra = String::new();
                        if let Some(x) = ratio(Some(med), base) {
                            write!(extra, ", \"ratio_to_native\": {x:.4}").unwrap();
                        }
                        if let Some(x) = espb.and_then(|e| ratio(r.cells[e].median(), Some(med))) {
                            if Some(i) != espb && i != 0 {
                                write!(extra, ", \"espb_over_this\": {x:.4}").unwrap();
                            }
                        }
                        writeln!(
                            s,
                            "      {}: {{\"median_ms\": {:.4}{extra}, \"samples_ms\": [{}]}}{comma}",
                            js(&self.engines[i].name),
                            ms(med),
                            samples.join(", ")
                        )
                        .unwrap()
                    }
                    (None, err) => writeln!(
                        s,
                        "      {}: {{\"error\": {}}}{comma}",
                        js(&self.engines[i].name),
                        js(err.as_deref().unwrap_or("no samples"))
                    )
                    .unwrap(),
                }
            }
            let comma = if ri + 1 < self.rows.len() { "," } else { "" };
            writeln!(s, "    }}}}{comma}").unwrap();
        }
        s.push_str("  ],\n  \"geomean\": {\"to_native\": {");
        let mut parts = Vec::new();
        for i in 1..self.engines.len() {
            if let (Some(g), n) = self.geomean_to_native(i) {
                parts.push(format!(
                    "{}: {{\"value\": {g:.4}, \"benchmarks\": {n}}}",
                    js(&self.engines[i].name)
                ));
            }
        }
        s.push_str(&parts.join(", "));
        s.push_str("}, \"espb_over_peer\": {");
        let mut parts = Vec::new();
        for p in self.peers() {
            if let (Some(g), n) = self.geomean_espb_vs(p) {
                parts.push(format!(
                    "{}: {{\"value\": {g:.4}, \"benchmarks\": {n}}}",
                    js(&self.engines[p].name)
                ));
            }
        }
        s.push_str(&parts.join(", "));
        s.push_str("}}\n}\n");
        s
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\"").replace('\n', " "))
    } else {
        s.to_string()
    }
}

/// A JSON string literal.
pub fn js(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => write!(o, "\\u{:04x}", c as u32).unwrap(),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let ms = Duration::from_millis;
        let cell = |v: &[u64]| Cell {
            samples: v.iter().map(|&x| ms(x)).collect(),
            error: None,
        };
        Report {
            meta: Meta::default(),
            engines: ["native", "espb", "wasm3"]
                .iter()
                .map(|n| EngineInfo {
                    name: n.to_string(),
                    describe: String::new(),
                })
                .collect(),
            rows: vec![
                Row {
                    program: "a".into(),
                    output: "a ok\n".into(),
                    cells: vec![cell(&[10, 11, 9]), cell(&[40]), cell(&[80])],
                },
                Row {
                    program: "b".into(),
                    output: "b ok\n".into(),
                    cells: vec![
                        cell(&[10]),
                        Cell {
                            samples: vec![],
                            error: Some("espb: cannot translate | x".into()),
                        },
                        cell(&[50]),
                    ],
                },
            ],
        }
    }

    #[test]
    fn geomeans_skip_missing_cells() {
        let r = report();
        let (g, n) = r.geomean_to_native(2);
        assert_eq!(n, 2);
        assert!((g.unwrap() - (8.0f64 * 5.0).sqrt()).abs() < 1e-9);
        let (g, n) = r.geomean_espb_vs(2);
        assert_eq!(n, 1);
        assert!((g.unwrap() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn table_shows_the_reason_instead_of_a_number() {
        let t = report().table();
        assert!(t.contains("n/a: espb: cannot translate / x [1]"), "{t}");
        assert!(t.contains("[1] espb: cannot translate | x"), "{t}");
        assert!(
            t.contains("| a | 10.0 ms | 40.0 ms (4.00×) | 80.0 ms (8.00×) |"),
            "{t}"
        );
    }

    #[test]
    fn json_and_csv_are_well_formed_enough() {
        let r = report();
        let j = r.json();
        assert!(j.contains("\"error\": \"espb: cannot translate | x\""));
        assert_eq!(j.matches('{').count(), j.matches('}').count());
        let c = r.csv();
        assert_eq!(c.lines().count(), 1 + 2 * 3);
        assert!(c.contains("a,espb,40.0000,4.0000,1.0000,1,"));
    }

    #[test]
    fn js_escapes() {
        assert_eq!(js("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
