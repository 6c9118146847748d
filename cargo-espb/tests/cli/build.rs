//! `cargo espb build`: configuration and C errors, incremental builds,
//! ESP-IDF's flags, statistics, translator diagnostics, symbol tables,
//! hints and the partition size.

use super::*;

#[test]
fn missing_clang_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let o = espb(&p)
        .env("ESPB_CLANG", "/nonexistent/clang")
        .arg("build")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains("ESPB_CLANG is set to `/nonexistent/clang`"),
        "{t}"
    );
    assert!(t.contains("install clang 19"), "{t}");
}

#[test]
fn unknown_config_key_is_named_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let cfg = std::fs::read_to_string(p.join("espb.toml")).unwrap();
    std::fs::write(
        p.join("espb.toml"),
        cfg.replace("opt-level = \"s\"", "opt-levle = \"s\""),
    )
    .unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("unknown field `opt-levle`"), "{t}");
    assert!(t.contains("espb.toml"), "{t}");
    // The snippet shows the offending line.
    assert!(t.contains("opt-levle = \"s\""), "{t}");
    let o = espb(&p)
        .args(["build", "--message-format", "json"])
        .output()
        .unwrap();
    let line = String::from_utf8(o.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.lines().last().unwrap()).unwrap();
    assert_eq!(v["reason"], "diagnostic");
    assert!(v["message"].as_str().unwrap().contains("opt-levle"));
}

#[test]
fn c_syntax_error_names_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    std::fs::write(
        p.join("scripts/broken.c"),
        "int f(void)\n{\n    int x = 1\n    return x;\n}\n",
    )
    .unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains("scripts/broken.c:3:14: expected ';' at end of declaration"),
        "{t}"
    );
    assert!(t.contains("could not compile 1 script"), "{t}");
}

/// Everything before translation: compile and link run once, then a second
/// build finds nothing to recompile, and a changed header recompiles.
#[test]
fn second_build_compiles_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    std::fs::write(p.join("scripts/value.h"), "#define VALUE 1\n").unwrap();
    std::fs::write(
        p.join("scripts/extra.c"),
        "#include \"value.h\"\nint extra(void) { return VALUE; }\n",
    )
    .unwrap();
    let clang_runs = |o: &Output| {
        text(o)
            .lines()
            .filter(|l| l.contains("Running") && l.contains("-emit-llvm"))
            .count()
    };
    let link_runs = |o: &Output| {
        text(o)
            .lines()
            .filter(|l| l.contains("Running") && l.contains("llvm-link"))
            .count()
    };
    let first = espb(&p).args(["build", "-v"]).output().unwrap();
    assert_eq!(clang_runs(&first), 2, "{}", text(&first));
    assert_eq!(link_runs(&first), 1);
    let second = espb(&p).args(["build", "-vv"]).output().unwrap();
    assert_eq!(clang_runs(&second), 0, "{}", text(&second));
    assert_eq!(link_runs(&second), 0, "{}", text(&second));
    for why in [
        "Fresh scripts/extra.c",
        "Fresh llvm-link",
        "Fresh translation",
    ] {
        assert!(text(&second).contains(why), "{why}: {}", text(&second));
    }
    std::fs::write(p.join("scripts/value.h"), "#define VALUE 2\n").unwrap();
    let third = espb(&p).args(["build", "-v"]).output().unwrap();
    assert_eq!(clang_runs(&third), 1, "{}", text(&third));
    assert!(text(&third).contains("scripts/extra.c"));
    // Other flags recompile everything.
    let fourth = espb(&p).args(["build", "-v", "-O0"]).output().unwrap();
    assert_eq!(clang_runs(&fourth), 2, "{}", text(&fourth));
}

#[test]
fn esp_idf_flags_reach_clang_exactly() {
    for fixture in [
        "v6.2-esp32c3-clang",
        "v6.2-linux-gcc",
        "v5.3-esp32-gcc",
        "v5.3-esp32c3-gcc",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let p = new_project(tmp.path(), "demo");
        // A script that needs nothing ESP-IDF-specific: the fixture's include
        // directories do not exist on this machine.
        std::fs::write(
            p.join("scripts/main.c"),
            "#include <stdio.h>\n#include \"espb.h\"\nJIT_HOT int sq(int x) { return x * x; }\n\
             void app_main(void) { printf(\"%d\\n\", sq(3)); }\n",
        )
        .unwrap();
        let (idf_path, path) = fake_idf(tmp.path(), fixture);
        let o = espb(&p)
            .env("IDF_PATH", &idf_path)
            .env("PATH", &path)
            .args(["build", "-v"])
            .output()
            .unwrap();
        let t = text(&o);
        assert!(!t.contains("bundled SDK"), "{fixture}: {t}");
        let calls = std::fs::read_to_string(p.join("idf-calls.log")).unwrap();
        assert_eq!(
            calls.lines().filter(|l| l.ends_with("reconfigure")).count(),
            1,
            "{fixture}"
        );
        let expected = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(fixture)
                .join("expected-flags.txt"),
        )
        .unwrap();
        let out = p.join("espb-build").canonicalize().unwrap();
        let mut want: Vec<String> = expected.lines().map(str::to_string).collect();
        want.extend([
            "-isystem".into(),
            format!("{}/newlib-shim", out.display()),
            "-isystem".into(),
            "/usr/include/newlib".into(),
            "-idirafter".into(),
            format!("{}/sdk/include", out.display()),
            "-Os".into(),
            "-gline-tables-only".into(),
            "-D__ESPB__=1".into(),
            "-Iscripts".into(),
            "-fno-color-diagnostics".into(),
            "-fno-caret-diagnostics".into(),
            "-emit-llvm".into(),
            "-c".into(),
            "scripts/main.c".into(),
        ]);
        let line = t
            .lines()
            .find(|l| l.contains("-emit-llvm"))
            .unwrap_or_else(|| panic!("{fixture}: no clang command in {t}"));
        let cmd = line.split_once('`').unwrap().1.trim_end_matches('`');
        let words = shlex::split(cmd).unwrap();
        assert!(words[0].contains("clang"), "{fixture}: {cmd}");
        assert_eq!(words[1..=want.len()], want[..], "{fixture}");
        // espb.h comes from the bundled SDK, behind ESP-IDF's headers.
        assert!(o.status.success(), "{fixture}: {t}");
        assert!(t.contains("1 hot (sq)"), "{fixture}: {t}");
        // Nothing changed: no second configure.
        espb(&p)
            .env("IDF_PATH", &idf_path)
            .env("PATH", &path)
            .args(["build", "-v"])
            .output()
            .unwrap();
        let calls = std::fs::read_to_string(p.join("idf-calls.log")).unwrap();
        assert_eq!(
            calls.lines().filter(|l| l.ends_with("reconfigure")).count(),
            1,
            "{fixture}"
        );
    }
}

#[test]
fn build_reports_json_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let o = espb(&p)
        .args(["build", "--message-format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let done: serde_json::Value = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["reason"] == "build-finished")
        .unwrap();
    assert_eq!(done["flags"], "bundled-sdk");
    assert_eq!(done["stats"]["functions"], 3);
    let imports = done["stats"]["imports"].as_u64().unwrap();
    assert!(imports >= 5, "{out}");
    let names: Vec<&str> = done["translation"]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"app_main") && names.len() == 3, "{out}");
    // A build that skips translation reports the same statistics.
    let again = espb(&p)
        .args(["build", "--message-format", "json"])
        .output()
        .unwrap();
    let again: serde_json::Value = String::from_utf8(again.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["reason"] == "build-finished")
        .unwrap();
    assert_eq!(again["translation"], done["translation"]);
    // The firmware's copies of the module.
    let module = std::fs::read(p.join("espb-build/demo.espb")).unwrap();
    let blob = std::fs::read_to_string(p.join("espb-build/espb_module_blob.c")).unwrap();
    assert!(blob.contains(&format!("espb_module_blob_len = {};", module.len())));
    let image = std::fs::read(p.join("espb-build/demo.part.bin")).unwrap();
    assert_eq!(&image[16..], &module[..]);
}

#[test]
fn translator_errors_point_at_the_c_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("asm.c"),
        "int f(int x) {\n    __asm__ volatile(\"nop\");\n    return x;\n}\nint main(int c, char **v) { return f(c); }\n",
    )
    .unwrap();
    let o = espb(tmp.path())
        .args(["build", "-O0", "asm.c"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("could not translate the scripts"), "{t}");
    assert!(
        t.contains("asm.c:2: inline assembly is not supported (`nop`)"),
        "{t}"
    );
    assert!(t.contains("__asm__ volatile(\"nop\");"), "{t}");
    assert!(!tmp.path().join("asm.espb").exists());
}

#[test]
fn symbol_tables_are_checked_and_key_the_translation() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let cfg = std::fs::read_to_string(p.join("espb.toml")).unwrap();
    std::fs::write(
        p.join("espb.toml"),
        cfg.replace("[ffi]\n", "[ffi]\nsymbol-tables = [\"my.espbsym\"]\n"),
    )
    .unwrap();
    std::fs::write(p.join("my.espbsym"), "table mine\n0 printf\n2 puts\n").unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("my.espbsym:3:"), "{t}");
    assert!(t.contains("2 puts"), "{t}");

    std::fs::write(p.join("my.espbsym"), "table mine\n0 printf\n1 puts\n").unwrap();
    let o = espb(&p).args(["build", "-vv"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    // printf and puts resolve through the table.
    assert!(
        text(&o).contains("2 imports by fast symbol"),
        "{}",
        text(&o)
    );
    let dump = espb(&p)
        .args(["dump", "espb-build/demo.espb", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&dump.stdout).unwrap();
    let printf = v["imports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "printf")
        .unwrap();
    assert_eq!(printf["kind"]["by"], "fast", "{printf}");
    assert_eq!(printf["kind"]["index"], 0, "{printf}");
    let o = espb(&p).args(["build", "-vv"]).output().unwrap();
    assert!(text(&o).contains("Fresh translation"), "{}", text(&o));
    std::fs::write(
        p.join("my.espbsym"),
        "table mine\n0 printf\n1 puts\n2 putchar\n",
    )
    .unwrap();
    let o = espb(&p).args(["build", "-vv"]).output().unwrap();
    assert!(!text(&o).contains("Fresh translation"), "{}", text(&o));
}

#[test]
fn build_stops_on_a_hints_syntax_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    std::fs::write(p.join("scripts/demo.hints"), "xTimerCreate: cb four\n").unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("scripts/demo.hints:1: expected a number, found `four`"),
        "{}",
        text(&o)
    );
}

#[test]
fn build_warns_when_the_module_outgrows_its_partition() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let o = espb(&p).arg("build").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("does not fit"), "{}", text(&o));
    let csv = std::fs::read_to_string(p.join("partitions.csv")).unwrap();
    std::fs::write(
        p.join("partitions.csv"),
        csv.replace("0x190000, 0x40000", "0x190000, 0x100"),
    )
    .unwrap();
    let o = espb(&p)
        .args(["build", "--message-format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let warning = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["reason"] == "diagnostic")
        .unwrap();
    assert_eq!(warning["severity"], "warning");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("does not fit the `espb` partition (256 bytes)"),
        "{warning}"
    );
}
