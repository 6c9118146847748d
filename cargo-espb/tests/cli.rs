//! Drives the real `cargo-espb` binary, the way cargo runs it
//! (`cargo-espb espb <cmd>`), on projects in temporary directories.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn espb(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("cargo-espb").unwrap();
    c.arg("espb").current_dir(dir);
    // A developer's ESP-IDF environment must not leak into the tests.
    c.env_remove("IDF_PATH")
        .env_remove("ESPB_CLANG")
        .env_remove("ESPPORT");
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn new_project(dir: &Path, name: &str) -> PathBuf {
    let o = espb(dir).args(["new", name]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    dir.join(name)
}

/// A valid module without the translator: the format crate's sample.
fn sample_module() -> Vec<u8> {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../espb-format/tests/data/sample.espbs"
    ))
    .unwrap();
    espb_format::text::assemble(&src).unwrap().to_bytes()
}

#[test]
fn new_writes_a_complete_idf_project() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    for f in [
        "CMakeLists.txt",
        "main/CMakeLists.txt",
        "main/main.c",
        "components/espb_runtime/CMakeLists.txt",
        "partitions.csv",
        "sdkconfig.defaults",
        "scripts/main.c",
        "scripts/demo.hints",
        "espb.toml",
        "README.md",
        ".gitignore",
    ] {
        let t = std::fs::read_to_string(p.join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(!t.contains("{{"), "{f} has an unfilled placeholder");
    }
    assert!(std::fs::read_to_string(p.join("CMakeLists.txt"))
        .unwrap()
        .contains("project(demo)"));
    // Every setting in sdkconfig.defaults is explained by a comment above it.
    let sdk = std::fs::read_to_string(p.join("sdkconfig.defaults")).unwrap();
    let mut prev = "";
    for line in sdk.lines() {
        if line.starts_with("CONFIG_") {
            assert!(
                prev.starts_with('#') || prev.starts_with("CONFIG_"),
                "{line} has no comment"
            );
        }
        prev = line;
    }
    let o = espb(tmp.path()).args(["new", "demo"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("already exists"), "{}", text(&o));
    let o = espb(tmp.path()).args(["new", "9lives"]).output().unwrap();
    assert!(
        text(&o).contains("not a valid project name"),
        "{}",
        text(&o)
    );
    let o = espb(tmp.path())
        .args(["new", "x", "--chip", "esp8266"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // The scripts' output directory stays out of ESP-IDF's build/.
    let toml = std::fs::read_to_string(p.join("espb.toml")).unwrap();
    assert!(toml.contains("dir = \"espb-build\""), "{toml}");
    let ignore = std::fs::read_to_string(p.join(".gitignore")).unwrap();
    assert!(ignore.contains("/espb-build/"), "{ignore}");
}

/// What the firmware carries beyond the imports: `[firmware] keep` and
/// `keep-tables`; a bad table is an error naming it.
#[test]
fn firmware_keep_lists_reach_the_native_table() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let natives = || std::fs::read_to_string(p.join("espb-build/espb_natives.c")).unwrap();
    let carried =
        |c: &str, name: &str| c.contains(&format!("{{\"{name}\", (const void *)&espb_native_"));
    let o = espb(&p).arg("build").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let plain = natives();
    assert!(
        carried(&plain, "vTaskDelay") && !carried(&plain, "gpio_set_level"),
        "{plain}"
    );
    assert!(
        !carried(&plain, "printf"),
        "the runtime serves printf itself:\n{plain}"
    );
    let cmake = std::fs::read_to_string(p.join("espb-build/espb_natives.cmake")).unwrap();
    assert!(
        cmake.contains("set(ESPB_NATIVE_COMPONENTS freertos)"),
        "{cmake}"
    );

    let cfg = std::fs::read_to_string(p.join("espb.toml")).unwrap();
    std::fs::write(
        p.join("espb.toml"),
        cfg.replace(
            "keep = []",
            "keep = [\"gpio_set_level\", \"my_sensor_read\"]",
        ),
    )
    .unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let kept = natives();
    assert!(
        carried(&kept, "gpio_set_level") && carried(&kept, "my_sensor_read"),
        "{kept}"
    );
    assert!(kept.contains("#if ESPB_HAVE_ESP_DRIVER_GPIO"), "{kept}");
    let cmake = std::fs::read_to_string(p.join("espb-build/espb_natives.cmake")).unwrap();
    assert!(
        cmake.contains("set(ESPB_NATIVE_COMPONENTS esp_driver_gpio freertos)"),
        "{cmake}"
    );

    std::fs::write(
        p.join("espb.toml"),
        cfg.replace("keep = []", "keep = []\nkeep-tables = [\"esp-idf\"]"),
    )
    .unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let whole = natives();
    for f in [
        "nvs_open",
        "esp_timer_create",
        "xEventGroupWaitBits",
        "gpio_isr_handler_add",
    ] {
        assert!(carried(&whole, f), "{f}:\n{whole}");
    }
    assert!(!carried(&whole, "printf"), "{whole}");

    std::fs::write(
        p.join("espb.toml"),
        cfg.replace("keep = []", "keep = []\nkeep-tables = [\"nope.espbsym\"]"),
    )
    .unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("nope.espbsym"), "{}", text(&o));
}

#[test]
fn new_accepts_esp_idf_linux_target() {
    let tmp = tempfile::tempdir().unwrap();
    let o = espb(tmp.path())
        .args(["new", "pc", "--chip", "linux"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let toml = std::fs::read_to_string(tmp.path().join("pc/espb.toml")).unwrap();
    assert!(toml.contains("chip = \"linux\""), "{toml}");
    let sdk = std::fs::read_to_string(tmp.path().join("pc/sdkconfig.defaults")).unwrap();
    assert!(sdk.contains("CONFIG_IDF_TARGET=\"linux\""), "{sdk}");
    // Scripts are the same riscv32 module for the linux target.
    let o = espb(&tmp.path().join("pc")).arg("build").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let natives = std::fs::read_to_string(tmp.path().join("pc/espb-build/espb_natives.c")).unwrap();
    assert!(natives.contains("\"xTaskCreatePinnedToCore\""), "{natives}");
}

#[test]
fn chip_choice_reaches_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    let o = espb(tmp.path())
        .args(["new", "s3", "--chip", "esp32s3"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let toml = std::fs::read_to_string(tmp.path().join("s3/espb.toml")).unwrap();
    assert!(toml.contains("chip = \"esp32s3\""));
    let sdk = std::fs::read_to_string(tmp.path().join("s3/sdkconfig.defaults")).unwrap();
    assert!(sdk.contains("CONFIG_IDF_TARGET=\"esp32s3\""));
}

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

/// A stand-in for `idf.py` that "configures" by copying a real ESP-IDF build
/// directory (the fixture) into the project, as `idf.py reconfigure` would.
fn fake_idf(tmp: &Path, fixture: &str) -> (PathBuf, String) {
    let bin = tmp.join("fake-idf/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture)
        .join("build");
    let script = format!(
        "#!/bin/sh\n# args: -C <project> <cmd>\necho \"$@\" >> \"$2/idf-calls.log\"\n\
         if [ \"$3\" = reconfigure ]; then mkdir -p \"$2/build\" && cp -r {}/. \"$2/build/\"; fi\n",
        fixture.display()
    );
    let idf = bin.join("idf.py");
    std::fs::write(&idf, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&idf, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    (tmp.join("fake-idf"), path)
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
fn flash_module_only_dry_run_uses_the_partition_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let o = espb(&p)
        .args(["flash", "--module-only", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("run `cargo espb build` first"),
        "{}",
        text(&o)
    );

    std::fs::create_dir_all(p.join("espb-build")).unwrap();
    let module = sample_module();
    std::fs::write(p.join("espb-build/demo.espb"), &module).unwrap();
    let o = espb(&p)
        .env("PATH", "/usr/bin:/bin")
        .args(["flash", "--module-only", "--dry-run", "-p", "/dev/ttyUSB7"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().trim(),
        "esptool.py --chip esp32c3 -p /dev/ttyUSB7 write_flash 0x190000 espb-build/demo.part.bin"
    );
    let image = std::fs::read(p.join("espb-build/demo.part.bin")).unwrap();
    assert_eq!(&image[..8], b"ESPBIMG1");
    assert_eq!(&image[16..], &module[..]);

    // A partition too small for the module.
    let csv = std::fs::read_to_string(p.join("partitions.csv")).unwrap();
    std::fs::write(
        p.join("partitions.csv"),
        csv.replace("0x190000, 0x40000", "0x190000, 0x20"),
    )
    .unwrap();
    let o = espb(&p)
        .args(["flash", "--module-only", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("holds only 32 bytes"), "{}", text(&o));
}

#[test]
fn flash_firmware_dry_run_and_no_idf() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let o = espb(&p)
        .args(["flash", "--dry-run", "--port", "/dev/ttyACM0"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let line = String::from_utf8(o.stdout).unwrap();
    assert!(line.trim().ends_with("-p /dev/ttyACM0 flash"), "{line}");
    let o = espb(&p)
        .args(["flash", "--port", "/dev/ttyACM0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("needs ESP-IDF"), "{}", text(&o));
    let o = espb(&p)
        .args(["build", "--firmware"])
        .env("ESPB_CLANG", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
}

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
fn outside_a_project_build_needs_files() {
    let tmp = tempfile::tempdir().unwrap();
    let o = espb(tmp.path()).arg("build").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("cargo espb new"), "{}", text(&o));
    let o = espb(tmp.path()).args(["build", "nope.c"]).output().unwrap();
    assert!(text(&o).contains("nope.c does not exist"), "{}", text(&o));
}

#[test]
fn run_files_main_gets_argv_and_its_status_is_the_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("hello.c"),
        "#include <stdio.h>\nint main(int argc, char **argv) {\n  printf(\"%d:%s\\n\", argc, argv[argc - 1]);\n  return 7;\n}\n",
    )
    .unwrap();
    for opt in ["-O0", "-O2", "-Os"] {
        let o = espb(tmp.path())
            .args(["run", opt, "hello.c", "--", "a", "last"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(7), "{opt}: {}", text(&o));
        assert_eq!(String::from_utf8(o.stdout).unwrap(), "3:last\n", "{opt}");
    }
    // The module it wrote runs directly too.
    let o = espb(tmp.path())
        .args(["run", "hello.espb", "--", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "2:x\n");
}

#[test]
fn trap_names_the_c_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("trap.c"),
        "#include <stdio.h>\nint divide(int a, int b) {\n    return a / b;\n}\nint main(void) {\n    volatile int z = 0;\n    return divide(5, z);\n}\n",
    )
    .unwrap();
    let o = espb(tmp.path())
        .args(["run", "-O0", "trap.c"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(101), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("division by zero"), "{t}");
    assert!(t.contains("trap.c:3"), "{t}");
    assert!(t.contains("return a / b;"), "{t}");
}

#[test]
fn entry_can_be_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("e.c"),
        "#include <stdlib.h>\nvoid other(void) { exit(42); }\nint main(int argc, char **argv) { return 1; }\n",
    )
    .unwrap();
    let o = espb(tmp.path())
        .args(["run", "e.c", "--entry", "other"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(42), "{}", text(&o));
    let o = espb(tmp.path())
        .args(["run", "e.c", "--entry", "missing"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("exports no entry function (looked for missing)"),
        "{}",
        text(&o)
    );
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

/// The README's promise: a new project builds and runs on a PC without
/// ESP-IDF (FreeRTOS tasks and timers on the runtime's host platform).
#[test]
fn new_build_run_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    let o = espb(&p).arg("build").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = espb(&p).args(["run", "--virtual-time"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    // The counter task (priority 5) runs before the timer service (1) when
    // both wake at 500 ms; the timer's state comes back as its ID.
    assert_eq!(
        out,
        "hello from an espb module\n\
         counter: 1/3\n\
         timer 'tick' fired 1 time(s)\n\
         timer 'tick' fired 2 time(s)\n\
         counter: 2/3\n\
         timer 'tick' fired 3 time(s)\n\
         timer 'tick' fired 4 time(s)\n\
         counter: 3/3\n\
         timer 'tick' fired 5 time(s)\n\
         timer 'tick' fired 6 time(s)\n\
         timer 'tick' fired 7 time(s)\n\
         counter: done\n\
         timer 'tick' fired 8 time(s)\n\
         timer 'tick' fired 9 time(s)\n\
         timer 'tick' fired 10 time(s)\n\
         app_main: timer fired 10 times, task created\n"
    );
    // Virtual time: the same output every run.
    let again = espb(&p).args(["run", "--virtual-time"]).output().unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), out);
    // Real time works too (a second of wall time; ties between the timer and
    // the task may order differently, so only the outline is checked).
    let real = espb(&p).arg("run").output().unwrap();
    assert!(real.status.success(), "{}", text(&real));
    let real = String::from_utf8(real.stdout).unwrap();
    assert!(
        real.starts_with("hello from an espb module\n") && real.contains("counter: done\n"),
        "{real}"
    );
}

/// A Rust firmware crate keeps the same settings in its Cargo.toml.
#[test]
fn cargo_metadata_configures_a_rust_firmware_crate() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("fw");
    std::fs::create_dir_all(p.join("src")).unwrap();
    std::fs::create_dir_all(p.join("logic")).unwrap();
    std::fs::write(p.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(
        p.join("logic/calc.c"),
        "int main(int argc, char **argv) { return argc + 2; }\n",
    )
    .unwrap();
    let manifest = "[package]\nname = \"fw\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                    [package.metadata.espb.build]\nscripts = \"logic\"\nopt-level = \"z\"\n";
    std::fs::write(p.join("Cargo.toml"), manifest).unwrap();
    let o = espb(&p.join("src")).arg("run").output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(p.join("espb-build/fw.espb").is_file());

    std::fs::write(
        p.join("Cargo.toml"),
        manifest.replace("opt-level", "optlevel"),
    )
    .unwrap();
    let o = espb(&p).arg("build").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("unknown field `optlevel`"), "{t}");
    assert!(t.contains("Cargo.toml"), "{t}");
}

/// `build --firmware` runs ESP-IDF's build after the module (configured
/// once, for the flags; the firmware compiles the module and native table
/// whether or not they existed then).
#[test]
fn firmware_build_runs_idf_py() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    std::fs::write(
        p.join("scripts/main.c"),
        "#include <stdio.h>\nvoid app_main(void) { printf(\"hi\\n\"); }\n",
    )
    .unwrap();
    let (idf_path, path) = fake_idf(tmp.path(), "v6.2-esp32c3-clang");
    let run = || {
        espb(&p)
            .env("IDF_PATH", &idf_path)
            .env("PATH", &path)
            .args(["build", "--firmware"])
            .output()
            .unwrap()
    };
    let o = run();
    assert!(o.status.success(), "{}", text(&o));
    let calls = std::fs::read_to_string(p.join("idf-calls.log")).unwrap();
    let root = p.canonicalize().unwrap();
    let want = format!("-C {r} reconfigure\n-C {r} build\n", r = root.display());
    assert_eq!(calls, want);
    assert!(p.join("espb-build/espb_module_blob.c").is_file());
    let o = run();
    assert!(o.status.success(), "{}", text(&o));
    let calls = std::fs::read_to_string(p.join("idf-calls.log")).unwrap();
    assert_eq!(calls, format!("{want}-C {} build\n", root.display()));
}

#[test]
fn flash_module_only_runs_esptool() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "demo");
    std::fs::create_dir_all(p.join("espb-build")).unwrap();
    std::fs::write(p.join("espb-build/demo.espb"), sample_module()).unwrap();
    let o = espb(&p)
        .env("PATH", "/usr/bin:/bin")
        .args(["flash", "--module-only", "-p", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("esptool not found"), "{}", text(&o));

    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = tmp.path().join("esptool.log");
    std::fs::write(
        bin.join("esptool.py"),
        format!("#!/bin/sh\necho \"$@\" > {}\n", log.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        bin.join("esptool.py"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let o = espb(&p)
        .env("PATH", &path)
        .args(["flash", "--module-only", "-p", "/dev/null", "-b", "921600"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "--chip esp32c3 -p /dev/null -b 921600 write_flash 0x190000 espb-build/demo.part.bin\n"
    );
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

/// `run --time-limit` ends a script that never stops; `--wdt-timeout`,
/// `--wdt-panic` and `--tick-hz` set the task watchdog and the tick as the
/// firmware's sdkconfig would (and a project's sdkconfig does by default).
#[test]
fn run_time_limit_watchdog_and_tick_rate() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("spin.c"),
        "#include <stdio.h>\n#include \"esp_rom_sys.h\"\n#include \"freertos/FreeRTOS.h\"\n#include \"freertos/task.h\"\n\
         void app_main(void) {\n    esp_rom_delay_us(50000);\n    printf(\"ticks after 50 ms: %lu\\n\", (unsigned long)xTaskGetTickCount());\n    volatile int n = 0;\n    for (;;)\n        n++;\n}\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let o = espb(tmp.path())
            .args(["run", "--virtual-time", "spin.c"])
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            text(&o),
        )
    };
    let wdt = |ms: u64| {
        format!("E ({ms}) task_wdt: Task watchdog got triggered. The following tasks/users did not reset the watchdog in time:\nE ({ms}) task_wdt:  - IDLE (CPU 0)\nE ({ms}) task_wdt: Tasks currently running:\nE ({ms}) task_wdt: CPU 0: main\n")
    };

    let (code, out, all) = run(&["--time-limit", "11"]);
    assert_eq!(code, Some(124), "{all}");
    assert_eq!(
        out,
        format!("ticks after 50 ms: 5\n{}{}", wdt(5000), wdt(10000))
    );
    assert!(all.contains("time limit (11 s)"), "{all}");

    let (_, out, _) = run(&[
        "--time-limit",
        "5",
        "--wdt-timeout",
        "2",
        "--tick-hz",
        "1000",
    ]);
    assert_eq!(
        out,
        format!("ticks after 50 ms: 50\n{}{}", wdt(2000), wdt(4000))
    );

    let (_, out, _) = run(&["--time-limit", "6", "--wdt-timeout", "0"]);
    assert_eq!(out, "ticks after 50 ms: 5\n");

    let (code, out, all) = run(&["--time-limit", "60", "--wdt-panic"]);
    assert_eq!(code, Some(101), "{all}");
    assert_eq!(
        out,
        format!(
            "ticks after 50 ms: 5\n{}E (5000) task_wdt: Aborting.\n",
            wdt(5000)
        )
    );
    assert!(all.contains("task watchdog"), "{all}");

    let (code, _, all) = run(&["--wdt-timeout=-1"]);
    assert_eq!(code, Some(2), "{all}");
    assert!(
        all.contains("must be 0 (off) or a positive number"),
        "{all}"
    );

    // A project's sdkconfig sets the same.
    let p = new_project(tmp.path(), "wdt");
    std::fs::copy(tmp.path().join("spin.c"), p.join("scripts/main.c")).unwrap();
    std::fs::write(
        p.join("sdkconfig"),
        "CONFIG_FREERTOS_HZ=100\nCONFIG_ESP_TASK_WDT_TIMEOUT_S=3\n",
    )
    .unwrap();
    let o = espb(&p)
        .args(["run", "--virtual-time", "--time-limit", "7"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(124), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("ticks after 50 ms: 5\n{}{}", wdt(3000), wdt(6000))
    );
}

/// `[run] natives` in espb.toml: the project's own native functions for host
/// runs, relative to the project root.
#[test]
fn project_natives_reach_the_host_run() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path(), "withnat");
    std::fs::create_dir_all(p.join("host")).unwrap();
    std::fs::write(
        p.join("host/board.c"),
        "int board_temperature(int sensor) { return 20 + sensor; }\n",
    )
    .unwrap();
    std::fs::write(
        p.join("scripts/main.c"),
        "#include <stdio.h>\nint board_temperature(int sensor);\n\
         void app_main(void) { printf(\"t=%d\\n\", board_temperature(3)); }\n",
    )
    .unwrap();
    let cfg = std::fs::read_to_string(p.join("espb.toml")).unwrap();
    std::fs::write(
        p.join("espb.toml"),
        format!("{cfg}\n[run]\nnatives = [\"host/board.c\"]\n"),
    )
    .unwrap();
    let o = espb(&p).args(["run", "--virtual-time"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("t=23"),
        "{}",
        text(&o)
    );
}
