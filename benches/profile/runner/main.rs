//! Runs each benchmark's bitcode once on the instrumented espb-runtime copy
//! and prints the dynamic opcode and opcode-pair frequencies as Markdown.

use std::collections::BTreeMap;

use espb_runtime::format::Opcode;
use espb_runtime::{opstats, Config, Imports, Instance, Module, Output};

/// Counts are by first opcode byte: every extended opcode shows as one.
fn name(op: usize) -> &'static str {
    if op == espb_runtime::format::opcodes::ESCAPE as usize {
        return "(extended)";
    }
    Opcode::from_u8(op as u8).map(|o| o.mnemonic()).unwrap_or("?")
}

fn main() {
    let mut share_ops: BTreeMap<usize, f64> = BTreeMap::new();
    let mut share_pairs: BTreeMap<usize, f64> = BTreeMap::new();
    let files: Vec<String> = std::env::args().skip(1).collect();
    let n = files.len() as f64;
    println!("| benchmark | instructions executed | top opcodes | top pairs |\n|---|---:|---|---|");
    for f in &files {
        let bench = std::path::Path::new(f).file_stem().unwrap().to_string_lossy().into_owned();
        let bc = std::fs::read(f).unwrap();
        let m = espb_codegen::translate(&bc, &espb_codegen::Options::default()).expect("translate");
        let bytes = m.to_bytes();
        let module = Module::parse(&bytes).expect("validate");
        let (out, buf) = Output::buffer();
        let cfg = Config { output: out, heap_size: Some(4 << 20), ..Config::default() };
        let inst = Instance::new(&module, &Imports::new(), cfg).expect("instantiate");
        opstats::take();
        let code = inst.call_i32("main", &[]).expect("run");
        let (ops, pairs) = opstats::take();
        assert_eq!(code, 0, "{bench}: {}", buf.to_string_lossy());
        let total: u64 = ops.iter().sum();
        let total_pairs: u64 = pairs.iter().sum();
        let mut o: Vec<(usize, u64)> = ops.iter().copied().enumerate().filter(|x| x.1 > 0).collect();
        o.sort_by(|a, b| b.1.cmp(&a.1));
        let mut p: Vec<(usize, u64)> = pairs.iter().copied().enumerate().filter(|x| x.1 > 0).collect();
        p.sort_by(|a, b| b.1.cmp(&a.1));
        for &(i, c) in &o {
            *share_ops.entry(i).or_default() += c as f64 / total as f64 / n;
        }
        for &(i, c) in &p {
            *share_pairs.entry(i).or_default() += c as f64 / total_pairs as f64 / n;
        }
        let top_o: Vec<String> = o
            .iter()
            .take(5)
            .map(|&(i, c)| format!("{} {:.1}%", name(i), 100.0 * c as f64 / total as f64))
            .collect();
        let top_p: Vec<String> = p
            .iter()
            .take(4)
            .map(|&(i, c)| format!("{}→{} {:.1}%", name(i >> 8), name(i & 255), 100.0 * c as f64 / total_pairs as f64))
            .collect();
        println!("| {bench} | {:.1} M | {} | {} |", total as f64 / 1e6, top_o.join(", "), top_p.join(", "));
    }
    let mut so: Vec<(usize, f64)> = share_ops.into_iter().collect();
    so.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut sp: Vec<(usize, f64)> = share_pairs.into_iter().collect();
    sp.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("\nAll benchmarks, each weighted equally:\n\n| rank | opcode | share | pair | share |\n|---:|---|---:|---|---:|");
    for r in 0..25 {
        let a = so.get(r).map(|&(i, s)| (name(i).to_string(), format!("{:.2}%", 100.0 * s)));
        let b = sp
            .get(r)
            .map(|&(i, s)| (format!("{} → {}", name(i >> 8), name(i & 255)), format!("{:.2}%", 100.0 * s)));
        let (an, as_) = a.unwrap_or_default();
        let (bn, bs) = b.unwrap_or_default();
        println!("| {} | {an} | {as_} | {bn} | {bs} |", r + 1);
    }
}
