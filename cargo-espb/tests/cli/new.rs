//! `cargo espb new`: the generated project, chips and targets, the demo end
//! to end, and Rust firmware crates configured from cargo metadata.

use super::*;

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
