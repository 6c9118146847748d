//! `cargo espb dump` and `cargo espb check-hints`.

use super::*;

#[test]
fn dump_shows_a_module_and_refuses_garbage() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("m.espb"), sample_module()).unwrap();
    let o = espb(tmp.path()).args(["dump", "m.espb"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let t = String::from_utf8(o.stdout).unwrap();
    for want in [
        "sections:",
        "imports:",
        "printf",
        "exports:",
        "fib",
        "functions:",
        "disassembly:",
        "i64.add",
    ] {
        assert!(t.contains(want), "{want} missing in:\n{t}");
    }
    let o = espb(tmp.path())
        .args(["dump", "m.espb", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stats"]["functions"], 2);
    assert_eq!(v["imports"][0]["name"], "printf");
    assert_eq!(v["functions"][0]["name"], "fib");
    let secs = v["sections"].as_array().unwrap();
    let names: Vec<&str> = secs.iter().map(|x| x["name"].as_str().unwrap()).collect();
    for want in [
        "types",
        "imports",
        "functions",
        "code",
        "data",
        "exports",
        "names",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    let len = sample_module().len() as u64;
    let first = secs
        .iter()
        .map(|x| x["offset"].as_u64().unwrap())
        .min()
        .unwrap();
    assert_eq!(
        first,
        12 + 12 * secs.len() as u64,
        "sections start right after the table"
    );
    assert!(secs
        .iter()
        .all(|x| x["offset"].as_u64().unwrap() + x["size"].as_u64().unwrap() <= len));

    let mut bad = sample_module();
    bad.truncate(bad.len() / 2);
    std::fs::write(tmp.path().join("bad.espb"), bad).unwrap();
    let o = espb(tmp.path())
        .args(["dump", "bad.espb"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("bad.espb is not a valid module"),
        "{}",
        text(&o)
    );
}

#[test]
fn check_hints_reports_syntax_errors_with_spans() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    std::fs::write(
        p.join("scripts/demo.hints"),
        "xTimerCreate: in 0 size strlen, cb 4 (ptr), ud 3\n",
    )
    .unwrap();
    let o = espb(&p).arg("check-hints").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let table = String::from_utf8(o.stdout).unwrap();
    // The project's entry replaces the bundled one; others come from the bundle.
    let row = |import: &str, arg: &str, role: &str| {
        table.lines().any(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.first() == Some(&import) && l.contains(arg) && l.contains(role)
        })
    };
    assert!(
        row(
            "xTimerCreate",
            "arg 4",
            "callback                     user hints scripts/demo.hints:1"
        ),
        "{table}"
    );
    assert!(
        row(
            "xTaskCreatePinnedToCore",
            "arg 5",
            "out 4 bytes, handles         bundled hints hints/esp-idf.hints:9"
        ),
        "{table}"
    );
    std::fs::write(
        p.join("scripts/demo.hints"),
        "# mine\nmy_read: out 0 size arg 1\nmy_write: in 0 sise 4\n",
    )
    .unwrap();
    let o = espb(&p).arg("check-hints").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains("scripts/demo.hints:3: expected `,` or the end of the line"),
        "{t}"
    );
    // Well-formed, but wrong for the functions the demo script calls.
    std::fs::write(
        p.join("scripts/demo.hints"),
        "xTimerCreate: in 0 size strlen, cb 7 (ptr)\nvTaskDelay: out 0 size 4\nnosuch: in 0\nprintf: in 0 size strlen\n\
         vTaskDelete: in 0 size 4, out 0 size 4\n",
    )
    .unwrap();
    let o = espb(&p).arg("check-hints").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("3 hint(s) do not fit"), "{t}");
    assert!(
        t.contains("argument 0 of `vTaskDelete` is described twice"),
        "{t}"
    );
    // Headlines wrap at 80 columns; the labels under the source do not.
    assert!(t.contains("[scripts/demo.hints:1:36]"), "{t}");
    assert!(
        t.contains("argument 7 is out of range: `xTimerCreate` takes 5 argument(s)"),
        "{t}"
    );
    assert!(t.contains("[scripts/demo.hints:2:17]"), "{t}");
    assert!(
        t.contains("argument 0 of `vTaskDelay` is i32, not a pointer"),
        "{t}"
    );
    assert!(t.contains("`nosuch` is not called by the scripts"), "{t}");
    assert!(!t.contains("`printf` is not called"), "{t}");
}

#[test]
fn dump_jit_counts_the_calls_that_go_direct() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("m.espb"), sample_module()).unwrap();
    let o = espb(tmp.path())
        .args(["dump", "m.espb", "--jit", "all"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let t = String::from_utf8(o.stdout).unwrap();
    // `main` calls `fib` (compiled, no shadow-stack frame: a direct call)
    // and `printf` (an import: through the interpreter's handler).
    let jit_line = |name: &str| {
        t.lines()
            .find(|l| l.contains(name) && l.contains("compiled,"))
            .unwrap_or("")
    };
    assert!(
        jit_line(" main ")
            .contains("2 via the interpreter (1 of them direct calls to compiled code)"),
        "{t}"
    );
    assert!(
        jit_line(" fib ").contains("0 via the interpreter (0 of them direct calls"),
        "{t}"
    );
    let o = espb(tmp.path())
        .args(["dump", "m.espb", "--jit", "all", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["functions"][1]["jit"]["direct_calls"], 1, "{v}");
    assert_eq!(v["functions"][0]["jit"]["direct_calls"], 0, "{v}");
}
