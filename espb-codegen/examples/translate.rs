//! `cargo run --release -p espb-codegen --example translate -- in.bc [out.espb]`:
//! translates bitcode, prints per-function statistics and the time taken
//! (and the disassembly when `ESPB_DIS` is set).

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(input) = args.get(1) else {
        eprintln!("usage: translate <in.bc> [out.espb]");
        std::process::exit(2);
    };
    let bc = std::fs::read(input).unwrap_or_else(|e| {
        eprintln!("{input}: {e}");
        std::process::exit(1)
    });
    let t = Instant::now();
    let r = espb_codegen::translate_with_stats(&bc, &espb_codegen::Options::default());
    let elapsed = t.elapsed();
    match r {
        Ok((m, stats)) => {
            let bytes = m.to_bytes();
            for f in &stats.functions {
                println!(
                    "{:<32} instrs {:>6} regs {:>3} spills {:>4} bytes {:>7} frame {:>6}",
                    f.name, f.instructions, f.registers, f.spills, f.bytes, f.frame_size
                );
            }
            for i in &stats.imports {
                println!("import {} {}", i.name, i.signature);
            }
            println!(
                "module {} bytes, translated in {:.1} ms",
                bytes.len(),
                elapsed.as_secs_f64() * 1e3
            );
            if std::env::var_os("ESPB_DIS").is_some() {
                print!("{}", espb_format::text::disassemble(&m));
            }
            if let Some(out) = args.get(2) {
                std::fs::write(out, &bytes).unwrap_or_else(|e| {
                    eprintln!("{out}: {e}");
                    std::process::exit(1)
                });
            }
        }
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(1);
        }
    }
}
