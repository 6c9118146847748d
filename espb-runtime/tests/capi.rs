//! The C API, exercised by a C program: build the static library with cargo,
//! compile and link `tests/capi/embed.c` with clang-19, run it, check output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const MODULE: &str = r#"
.type (i32) -> i64
.type (i32, i32) -> i32
.type (ptr, ...) -> i32
.type () -> void
.type (ptr) -> i32
.type (i32) -> void
.symtab "app" 0xABCDEF
.import "host_mul" ty1 fast 0 1
.import "printf" ty2
.import "exit" ty5
.memory data_end 0x1020 heap 0x1000 stack 0x1000
.data 0x1000 "68656c6c6f2066726f6d20746865206d6f64756c650a00"
.func ty0 regs 5 frame 0 align 0
    const64 r1, 0
    const64 r2, 1
loop:
    br_ifnot r0, done
    i64.add r3, r1, r2
    mov r1, r2
    mov r2, r3
    i32.addi r0, r0, -1
    br loop
done:
    ret r1
.end
.func ty1 regs 2 frame 0 align 0
    call.import imp0, r0
    ret r0
.end
.func ty1 regs 2 frame 0 align 0
    i32.div_s r0, r0, r1
    ret r0
.end
.func ty3 regs 2 frame 0 align 0
    const32 r1, 0x1000
    call.import.var imp1, ty4, r1
    ret.void
.end
.func ty5 regs 1 frame 0 align 0
    call.import imp2, r0
    ret.void
.end
.export "fib" f0
.export "mul" f1
.export "div" f2
.export "hello" f3
.export "quit" f4
.name f2 "div"
"#;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn c_program_loads_a_module_and_calls_exports() {
    let ws = workspace();
    let target = ws.join("target").join("capi-test");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let st = Command::new(cargo)
        .current_dir(&ws)
        .args([
            "rustc",
            "-q",
            "-p",
            "espb-runtime",
            "--lib",
            "--features",
            "capi",
            "--crate-type",
            "staticlib",
        ])
        .arg("--target-dir")
        .arg(&target)
        .status()
        .unwrap();
    assert!(st.success(), "building the static library failed");
    let lib = target.join("debug").join("libespb_runtime.a");
    assert!(lib.exists());

    let dir = target.join("embed");
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join("app.espb");
    std::fs::write(&module, common::bytes(MODULE)).unwrap();
    let exe = dir.join("embed");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/capi/embed.c");
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let out = Command::new("clang-19")
        .arg("-std=c11")
        .arg("-Wall")
        .arg("-Werror")
        .arg("-I")
        .arg(&include)
        .arg(&src)
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "clang: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let run = Command::new(&exe).arg(&module).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "embed failed: {stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let want = "\
fib(50) = 12586269025 (status 0, type 1)
mul(50, 7) = 1050 (status 0)
div(1, 0): status 4: integer division by zero in `div` (f2) at offset 0x0
nope: status 1: no exported function `nope`
hello from the module
hello: status 0
quit: status 5 code 9
junk: refused: ";
    assert!(stdout.starts_with(want), "got:\n{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[7].len() > "junk: refused: ".len(),
        "parse error text: {}",
        lines[7]
    );
    assert!(
        lines[8].starts_with("other table: refused: symbol table `app` mismatch: the module was built against hash 0x0000000000abcdef"),
        "{}",
        lines[8]
    );
}
