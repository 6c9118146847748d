//! Translator unit-level checks on real clang output: diagnostics for
//! unsupported constructs (function and source line), refusal of non-32-bit
//! bitcode, header flags, spilling, exports and validation.

use std::path::{Path, PathBuf};
use std::process::Command;

use espb_codegen::{translate, translate_with_stats, Options};
use espb_format::func_flags;

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn compile(src: &Path, target: &[&str], opt: &str) -> Vec<u8> {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{}{}{}.bc",
        src.file_stem().unwrap().to_string_lossy(),
        opt,
        target.len()
    ));
    let st = Command::new("clang-19")
        .args(target)
        .arg("-I")
        .arg(here().parent().unwrap().join("sdk/include"))
        .args([opt, "-g", "-w", "-emit-llvm", "-c"])
        .arg(src)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success(), "clang failed on {}", src.display());
    std::fs::read(out).unwrap()
}

const RV32: &[&str] = &[
    "--target=riscv32-unknown-elf",
    "-march=rv32imac",
    "-mabi=ilp32",
    "-isystem",
    "/usr/include/newlib",
];

fn rv32(src: &Path, opt: &str) -> Vec<u8> {
    compile(src, RV32, opt)
}

fn diag_for(file: &str) -> espb_codegen::Diagnostics {
    let src = here().join("tests/unsupported").join(file);
    let bc = rv32(&src, "-O0");
    translate(&bc, &Options::default()).expect_err("must be refused")
}

#[test]
fn inline_asm_is_a_diagnostic_with_function_and_line() {
    let d = diag_for("inline_asm.c");
    let first = &d.0[0];
    assert!(first.message.contains("inline assembly"), "{d}");
    assert_eq!(first.function.as_deref(), Some("f"));
    let (file, line) = first.location.clone().expect("line from debug info");
    assert!(file.ends_with("inline_asm.c"), "{file}");
    assert_eq!(line, 3);
}

#[test]
fn thread_local_is_a_diagnostic() {
    let d = diag_for("thread_local.c");
    assert!(
        d.0.iter().any(|x| x.message.contains("thread-local")),
        "{d}"
    );
}

#[test]
fn external_data_is_a_diagnostic_naming_the_variable() {
    let d = diag_for("extern_data.c");
    let x =
        d.0.iter()
            .find(|x| x.message.contains("provided_elsewhere"))
            .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(x.function.as_deref(), Some("f"));
    assert_eq!(x.location.as_ref().map(|l| l.1), Some(3));
}

#[test]
fn global_constructors_become_the_start_function() {
    let src = here()
        .parent()
        .unwrap()
        .join("tests/c/global_constructors.c");
    // At -O0 (at -O2 LLVM evaluates these constructors at compile time).
    let m = translate(&rv32(&src, "-O0"), &Options::default()).unwrap();
    let start = m.start.expect("a start function");
    assert_eq!(m.func_name(start), Some("__espb_global_ctors"));
    assert!(m.export("__espb_global_ctors").is_none());
    espb_format::parse(&m.to_bytes()).expect("valid module");
}

#[test]
fn long_double_native_is_a_diagnostic_with_line() {
    // `long double` itself is supported (binary128 in software); a native
    // function taking one is not: the FFI has no binary128 type.
    let d = diag_for("long_double.c");
    let x =
        d.0.iter()
            .find(|x| x.message.contains("sqrtl") && x.message.contains("long double"))
            .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(x.function.as_deref(), Some("root"));
    assert_eq!(x.location.as_ref().map(|l| l.1), Some(3));
}

#[test]
fn integers_over_128_bits_are_a_diagnostic() {
    // clang caps `_BitInt` at 128 bits for riscv32; hand-written IR can go further.
    let ir = "target datalayout = \"e-m:e-p:32:32-i64:64-n32-S128\"\n\
              define i256 @mul(i256 %a, i256 %b) {\n  %p = mul i256 %a, %b\n  ret i256 %p\n}\n";
    let d = translate(ir.as_bytes(), &Options::default()).expect_err("must be refused");
    assert!(
        d.0.iter().any(|x| x.message.contains("256-bit integers")),
        "{d}"
    );
}

#[test]
fn x86_64_bitcode_is_refused() {
    let src = here().parent().unwrap().join("tests/c/loops_arith.c");
    let bc = compile(&src, &["--target=x86_64-unknown-linux-gnu"], "-O2");
    let d = translate(&bc, &Options::default()).expect_err("64-bit must be refused");
    assert!(d.to_string().contains("not 32-bit little-endian"), "{d}");
}

#[test]
fn garbage_is_refused_without_panicking() {
    for bytes in [
        &b""[..],
        b"BC\xc0\xde",
        b"not bitcode at all",
        &[0xffu8; 64],
    ] {
        let d = translate(bytes, &Options::default()).expect_err("garbage must be refused");
        assert!(d.to_string().contains("bitcode"), "{d}");
    }
}

#[test]
fn hot_flag_exports_names_and_lines() {
    let src = here().parent().unwrap().join("tests/c/hot_annot.c");
    for opt in ["-O0", "-O2"] {
        let m = translate(&rv32(&src, opt), &Options::default()).unwrap();
        espb_format::parse(&m.to_bytes()).expect("valid module");
        let hot = m.export("hot_loop").expect("exported");
        assert_ne!(m.functions[hot as usize].flags & func_flags::HOT, 0);
        assert_ne!(m.functions[hot as usize].flags & func_flags::LEAF, 0);
        let main = m.export("main").unwrap();
        assert_eq!(m.functions[main as usize].flags & func_flags::HOT, 0);
        assert_eq!(m.func_name(main), Some("main"));
        let lines = m.lines.as_ref().expect("line tables");
        assert!(lines.files.iter().any(|f| f.ends_with("hot_annot.c")));
        let last = m.functions[hot as usize].code.len() as u32 - 1;
        let (file, line) = m.source_line(hot, last).expect("line of the return");
        assert!(
            file.ends_with("hot_annot.c") && (3..=3).contains(&line),
            "{file}:{line}"
        );
    }
}

#[test]
fn static_functions_are_not_exported_unless_asked() {
    let src = here().parent().unwrap().join("tests/c/recursion.c");
    let m = translate(&rv32(&src, "-O0"), &Options::default()).unwrap();
    assert!(m.export("main").is_some());
    assert!(m.export("ack").is_none(), "static function exported");
    assert!(m.names.iter().any(|(_, n)| n == "ack"));
}

#[test]
fn export_all_off_keeps_only_the_entry_points() {
    let src = here().join("tests/programs/app_main_entry.c");
    let bc = rv32(&src, "-O0");
    let all = translate(&bc, &Options::default()).unwrap();
    assert!(all.export("visible").is_some() && all.export("app_main").is_some());
    assert!(all.export("helper").is_none());
    let opts = Options {
        export_all: false,
        ..Options::default()
    };
    let m = translate(&bc, &opts).unwrap();
    let names: Vec<&str> = m.exports.iter().map(|e| &*e.name).collect();
    assert_eq!(names, ["app_main"]);
    assert!(
        m.names.iter().any(|(_, n)| n == "helper"),
        "every function keeps its name"
    );
}

#[test]
fn more_than_256_live_values_spill() {
    let src = here().parent().unwrap().join("tests/c/spill_pressure.c");
    let (m, stats) = translate_with_stats(&rv32(&src, "-O2"), &Options::default()).unwrap();
    espb_format::parse(&m.to_bytes()).expect("valid module");
    let main = stats.functions.iter().find(|f| f.name == "main").unwrap();
    assert!(main.spills > 0, "expected spills: {main:?}");
    assert!(main.registers <= 256);
}

#[test]
fn translated_corpus_modules_validate() {
    let dir = here().parent().unwrap().join("tests/c");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "c") {
            for opt in ["-Oz", "-O1"] {
                let m = translate(&rv32(&p, opt), &Options::default())
                    .unwrap_or_else(|d| panic!("{}: {d}", p.display()));
                espb_format::parse(&m.to_bytes())
                    .unwrap_or_else(|e| panic!("{} {opt}: {e:?}", p.display()));
                n += 1;
            }
        }
    }
    assert!(n > 0);
}
