//! Validates a module (`.espb` or `.espbs`) and prints its disassembly.
//! Usage: `cargo run -p espb-format --example dump -- FILE`
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE.espb|FILE.espbs");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = if path.ends_with(".espbs") {
        let text = String::from_utf8_lossy(&bytes);
        match espb_format::text::assemble(&text) {
            Ok(m) => m.to_bytes(),
            Err(e) => {
                eprintln!("error: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        bytes
    };
    match espb_format::parse(&bytes) {
        Ok(m) => {
            println!(
                "; {path}: valid, {} bytes, {} functions",
                bytes.len(),
                m.functions.len()
            );
            print!("{}", espb_format::text::disassemble(&m));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}
