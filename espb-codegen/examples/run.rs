//! `cargo run -p espb-codegen --example run -- in.bc`: translates bitcode and
//! runs its `main` in espb-runtime (stdout to stdout; exit status = main's).

fn main() {
    let Some(input) = std::env::args().nth(1) else {
        eprintln!("usage: run <in.bc>");
        std::process::exit(2);
    };
    let bc = std::fs::read(&input).unwrap_or_else(|e| {
        eprintln!("{input}: {e}");
        std::process::exit(2)
    });
    let m = match espb_codegen::translate(&bc, &espb_codegen::Options::default()) {
        Ok(m) => m,
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(3);
        }
    };
    let bytes = m.to_bytes();
    let module = espb_runtime::Module::parse(&bytes).unwrap_or_else(|e| {
        eprintln!("invalid module: {e:?}");
        std::process::exit(3)
    });
    let inst = espb_runtime::Instance::new(
        &module,
        &espb_runtime::Imports::new(),
        espb_runtime::Config::default(),
    )
    .unwrap_or_else(|e| {
        eprintln!("instantiate: {e:?}");
        std::process::exit(3)
    });
    let code = match inst.call_i32("main", &[]) {
        Ok(c) => c,
        Err(t) => match t.exit_code() {
            Some(c) => c,
            None => {
                eprintln!("trap: {t}");
                std::process::exit(4)
            }
        },
    };
    std::process::exit(code & 0xff);
}
