//! The C API, exercised by a C program: build the static library with cargo,
//! compile and link `tests/capi/embed.c` with clang-19, run it, check output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// `{HASH}` is the hash of the fast-symbol table `app` (three slots).
const MODULE: &str = r#"
.type (i32) -> i64
.type (i32, i32) -> i32
.type (ptr, ...) -> i32
.type () -> void
.type (ptr) -> i32
.type (i32) -> void
.type (i64) -> i64
.symtab "app" {HASH}
.import "c_scale" ty1 fast 0 1
.import "printf" ty2
.import "exit" ty5
.import "raw_add" ty1
.import "c_wide" ty6
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
.func ty1 regs 2 frame 0 align 0
    call.import imp3, r0
    ret r0
.end
.func ty6 regs 1 frame 0 align 0
    call.import imp4, r0
    ret r0
.end
.export "fib" f0
.export "scale" f1
.export "div" f2
.export "hello" f3
.export "quit" f4
.export "add" f5
.export "wide" f6
.name f2 "div"
"#;

/// A module that imports NVS, which the program does not carry.
const NEEDS_NVS: &str = r#"
.type (ptr, i32, ptr) -> i32
.type () -> void
.import "nvs_open" ty0
.import "my_missing" ty1
.memory data_end 0x1000 heap 0x1000 stack 0x1000
.func ty1 regs 1 frame 0 align 0
    ret.void
.end
.export "app_main" f0
"#;

fn table_hash(names: &[&str]) -> u64 {
    let mut text = String::from("table app\n");
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!("{i} {n}\n"));
    }
    espb_runtime::format::symtab::SymbolTable::parse(&text)
        .unwrap()
        .hash()
}

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
            "capi,ffi",
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
    let hash3 = table_hash(&["unused", "c_scale", "printf"]);
    let hash4 = table_hash(&["unused", "c_scale", "printf", "later"]);
    let module = dir.join("app.espb");
    let text = MODULE.replace("{HASH}", &format!("{hash3:#x}"));
    std::fs::write(&module, common::bytes(&text)).unwrap();
    let nvs = dir.join("needs_nvs.espb");
    std::fs::write(&nvs, common::bytes(NEEDS_NVS)).unwrap();
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
        .args(["-lffi", "-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "clang: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let run = Command::new(&exe)
        .arg(&module)
        .arg(&nvs)
        .arg(format!("{hash3:x}"))
        .arg(format!("{hash4:x}"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "embed failed: {stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let want = "\
register: 0 
fib(50) = 12586269025 (err 0, type 1)
scale(50, 7) = 1050 (err 0)
add(50, 7) = 157 (err 0)
wide(3) = 3000000021 (err 0)
div(1, 0): ESPB_ERR_TRAP: integer division by zero in `div` (f2) at offset 0x0
nope: ESP_ERR_NOT_FOUND: no exported function `nope`
fib(1, 0): ESP_ERR_INVALID_ARG
before hello
hello from the module
hello: err 0, running 0
[captured 22 bytes: hello from the module
]
captured hello: err 0, 22 bytes
quit: ESPB_ERR_EXIT, code 9: the module called exit(9)
unload: 0
check junk: ESPB_ERR_INVALID_MODULE
junk: ESPB_ERR_INVALID_MODULE, no instance: ";
    assert!(stdout.starts_with(want), "got:\n{stdout}");
    let line = |prefix: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"))
            .to_string()
    };
    assert!(line("junk:").len() > "junk: ESPB_ERR_INVALID_MODULE, no instance: ".len());
    let nvs_line = line("needs nvs:");
    assert!(
        nvs_line.starts_with("needs nvs: ESPB_ERR_LINK: this firmware does not carry functions the module imports: `my_missing`, `nvs_open` (provided by component nvs_flash, which this firmware does not include)")
            || nvs_line.starts_with("needs nvs: ESPB_ERR_LINK: this firmware does not carry functions the module imports: `nvs_open` (provided by component nvs_flash, which this firmware does not include), `my_missing`"),
        "{nvs_line}"
    );
    assert_eq!(line("register newer:"), "register newer: 0");
    let other = line("other table:");
    assert!(
        other.starts_with("other table: ESPB_ERR_LINK: ")
            && other.contains(&format!(
                "built against symbol table `app` with hash {hash3:#018x}, this firmware has {hash4:#018x}"
            )),
        "{other}"
    );
    let lying = line("wrong hash:");
    assert!(
        lying.starts_with("wrong hash: ESP_ERR_INVALID_ARG: espb_register_natives: table 0: symbol table `app` says hash"),
        "{lying}"
    );
}
