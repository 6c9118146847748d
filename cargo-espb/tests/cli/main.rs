//! Drives the real `cargo-espb` binary, the way cargo runs it
//! (`cargo-espb espb <cmd>`), on projects in temporary directories.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

mod build;
mod firmware;
mod inspect;
mod new;
mod run;

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
