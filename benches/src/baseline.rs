//! `--baseline FILE.csv`: compares this run with an earlier `results.csv`
//! (e.g. `git show HEAD~3:benches/results.csv > before.csv`), engine by
//! engine, as after/before ratios of the medians with their geometric mean —
//! the before/after record the interpreter work keeps in RESULTS.md.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::report::Report;
use crate::stats::geomean;

/// (benchmark, engine) → median ms, from a `results.csv`.
pub fn parse_csv(text: &str) -> Result<BTreeMap<(String, String), f64>, String> {
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty baseline file")?;
    if !header.starts_with("benchmark,engine,median_ms") {
        return Err(format!("not a results.csv (header {header:?})"));
    }
    let mut map = BTreeMap::new();
    for line in lines {
        let mut f = line.splitn(4, ',');
        let (Some(b), Some(e), Some(m)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if let Ok(ms) = m.parse::<f64>() {
            map.insert((b.to_string(), e.to_string()), ms);
        }
    }
    Ok(map)
}

/// The Markdown comparison table.
pub fn compare(report: &Report, before: &BTreeMap<(String, String), f64>) -> String {
    let mut s = String::from("after/before (median time; below 1.00: faster now)\n\n| benchmark |");
    for e in &report.engines {
        write!(s, " {} |", e.name).unwrap();
    }
    s.push_str("\n|---|");
    for _ in &report.engines {
        s.push_str("---:|");
    }
    s.push('\n');
    let mut per_engine: Vec<Vec<f64>> = vec![Vec::new(); report.engines.len()];
    for r in &report.rows {
        write!(s, "| {} |", r.program).unwrap();
        for (i, c) in r.cells.iter().enumerate() {
            let key = (r.program.clone(), report.engines[i].name.clone());
            match (c.median(), before.get(&key)) {
                (Some(now), Some(&old)) if old > 0.0 => {
                    let x = now.as_secs_f64() * 1e3 / old;
                    per_engine[i].push(x);
                    write!(s, " {x:.2} |").unwrap();
                }
                _ => s.push_str(" — |"),
            }
        }
        s.push('\n');
    }
    s.push_str("| **geomean** |");
    for v in &per_engine {
        match geomean(v) {
            Some(g) => write!(s, " **{g:.2}** |").unwrap(),
            None => s.push_str(" — |"),
        }
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_results_csv() {
        let csv = "benchmark,engine,median_ms,ratio_to_native,espb_over_engine,samples,error\n\
                   fib,native,0.1000,1.0000,10.0,5,\n\
                   fib,espb,1.5000,15.0000,1.0000,5,\n\
                   sort,espb,,,,0,\"espb: trap, oops\"\n";
        let m = parse_csv(csv).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[&("fib".to_string(), "espb".to_string())], 1.5);
        assert!(parse_csv("a,b\n").is_err());
    }
}
