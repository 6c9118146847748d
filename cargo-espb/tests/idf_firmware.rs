//! End to end on real ESP-IDF: the trimmed ESP-IDF pack beside the
//! repository (`../shared/esp-idf`, or `ESPB_IDF_PACK`; `ESPB_IDF_PACK=skip`
//! skips these tests) builds the template's firmware for ESP-IDF's `linux`
//! target — real FreeRTOS (POSIX port), esp_timer, NVS on emulated flash —
//! and the module must print there exactly what `cargo espb run
//! --virtual-time` prints on the host platform. Also: the generated native
//! table carries exactly the module's imports and the firmware links them;
//! a module-only update runs from the emulated `espb` partition, and one that
//! calls what the firmware lacks is refused by name; scripts compiled against
//! real ESP-IDF headers (linux, and esp32c3 through the recorded
//! `compile_commands.json`) make the same imports as against the bundled SDK.
//!
//! `.ci/setup` installs the pack (its `setup.sh`); the runtime inside the
//! firmware is built once into `target/tmp/espb-idf-runtime` and shared by
//! every run.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use espb_format::FuncType;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The pack's directory, or `None` when the tests are to be skipped.
fn pack() -> Option<PathBuf> {
    let dir = match std::env::var("ESPB_IDF_PACK") {
        Ok(v) if v == "skip" => return None,
        Ok(v) => PathBuf::from(v),
        // Beside the repository; the workplace's shared directory when the
        // checkout lives elsewhere.
        Err(_) => [
            repo().join("../shared/esp-idf"),
            PathBuf::from("/work/shared/esp-idf"),
        ]
        .into_iter()
        .find(|d| d.join("setup.sh").is_file())
        .unwrap_or_else(|| repo().join("../shared/esp-idf")),
    };
    assert!(
        dir.join("setup.sh").is_file(),
        "no ESP-IDF pack at {} (its setup.sh): set ESPB_IDF_PACK to it, or ESPB_IDF_PACK=skip",
        dir.display()
    );
    Some(dir)
}

/// The environment `eval "$(setup.sh)"` would set up.
fn idf_env(pack: &Path) -> Vec<(String, String)> {
    let out = Command::new("bash")
        .arg(pack.join("setup.sh"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "setup.sh failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut env = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) else {
            continue;
        };
        let v = if k == "PATH" {
            // `'<venv>/bin:<idf>/tools':"$PATH"`
            let head = v.split(":\"$PATH\"").next().unwrap().trim_matches('\'');
            format!("{head}:{}", std::env::var("PATH").unwrap_or_default())
        } else {
            v.trim_matches('\'').to_string()
        };
        env.push((k.to_string(), v));
    }
    assert!(
        env.iter().any(|(k, _)| k == "IDF_PATH"),
        "setup.sh exported no IDF_PATH"
    );
    env
}

struct Project {
    dir: PathBuf,
    name: String,
    env: Vec<(String, String)>,
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Project {
    fn espb(&self, with_idf: bool, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
        c.arg("espb").args(args).current_dir(&self.dir);
        if with_idf {
            c.envs(self.env.iter().map(|(k, v)| (k, v)));
        } else {
            c.env_remove("IDF_PATH");
        }
        c.output().unwrap()
    }

    fn espb_ok(&self, with_idf: bool, args: &[&str]) -> String {
        let o = self.espb(with_idf, args);
        assert!(o.status.success(), "cargo espb {args:?}:\n{}", text(&o));
        String::from_utf8(o.stdout).unwrap()
    }

    fn idf(&self, args: &[&str]) {
        let o = Command::new("idf.py")
            .args(args)
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env(
                "ESPB_CARGO_TARGET_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("espb-idf-runtime"),
            )
            .output()
            .unwrap();
        assert!(o.status.success(), "idf.py {args:?}:\n{}", text(&o));
    }

    fn elf(&self) -> PathBuf {
        self.dir.join("build").join(format!("{}.elf", self.name))
    }

    fn module(&self) -> Vec<u8> {
        std::fs::read(self.dir.join(format!("espb-build/{}.espb", self.name))).unwrap()
    }
}

/// The firmware's stdout until `done` says it is complete (then 400 ms more,
/// so extra lines would show) or it exits, within 30 s.
fn run_firmware(elf: &Path, done: impl Fn(&[String]) -> bool) -> (Vec<String>, Option<ExitStatus>) {
    let mut child: Child = Command::new(elf)
        .current_dir(elf.parent().unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    let start = Instant::now();
    let mut lines = Vec::new();
    let mut done_at: Option<Instant> = None;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if done_at.is_some_and(|t| t.elapsed() > Duration::from_millis(400))
            || start.elapsed() > Duration::from_secs(30)
        {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(20)) {
            lines.push(l);
            if done_at.is_none() && done(&lines) {
                done_at = Some(Instant::now());
            }
        }
    };
    let _ = reader.join();
    lines.extend(rx.try_iter());
    (lines, status)
}

/// `I (1234) tag: …` → `I (T) tag: …`: ESP-IDF's linux target stamps logs
/// with CLOCK_MONOTONIC milliseconds, the host platform with ticks since the
/// start (as a chip does).
fn untimed(line: &str) -> String {
    let b = line.as_bytes();
    if b.len() > 3 && b"EWIDV".contains(&b[0]) && &line[1..3] == " (" {
        if let Some(end) = line[3..].find(')') {
            if line[3..3 + end].bytes().all(|c| c.is_ascii_digit()) {
                return format!("{} (T){}", &line[..1], &line[3 + end + 1..]);
            }
        }
    }
    line.to_string()
}

/// The module's lines in the firmware's output: after the loader's line,
/// without ESP-IDF's own task messages and the template's exit line.
fn module_lines(fw: &[String], project: &str) -> Vec<String> {
    let start = fw
        .iter()
        .position(|l| l.contains(&format!("{project}: running the ")))
        .unwrap_or_else(|| panic!("no loader line in:\n{}", fw.join("\n")));
    fw[start + 1..]
        .iter()
        .filter(|l| {
            !l.contains(" main_task: ") && !l.contains(&format!(" {project}: module exited"))
        })
        .map(|l| untimed(l))
        .collect()
}

/// The firmware ran the module from `origin` and printed what the host did.
fn assert_runs_like_host(fw: &[String], project: &str, origin: &str, host: &[String]) {
    assert!(
        fw.iter()
            .any(|l| l.contains(&format!("{project}: running the "))
                && l.ends_with(&format!("module from the {origin}"))),
        "not from the {origin}:\n{}",
        fw.join("\n")
    );
    assert_eq!(
        module_lines(fw, project),
        host,
        "firmware output:\n{}",
        fw.join("\n")
    );
}

/// The imports of a module: (name, signature), sorted.
fn imports(module: &[u8]) -> Vec<(String, FuncType)> {
    let m = espb_format::parse(module).unwrap();
    let mut v: Vec<(String, FuncType)> = m
        .imports
        .iter()
        .map(|i| (i.name.to_string(), m.types[i.ty as usize].clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The functions the generated table carries by address.
fn carried(natives_c: &str) -> BTreeSet<String> {
    natives_c
        .lines()
        .filter(|l| l.contains("(const void *)&espb_native_"))
        .filter_map(|l| {
            l.trim()
                .strip_prefix("{\"")?
                .split('"')
                .next()
                .map(str::to_string)
        })
        .collect()
}

/// Symbols `nm` says the firmware defines.
fn defined_symbols(elf: &Path) -> BTreeSet<String> {
    let o = Command::new("nm")
        .arg("--defined-only")
        .arg(elf)
        .output()
        .unwrap();
    assert!(o.status.success(), "nm: {}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

fn check_native_table(p: &Project) -> BTreeSet<String> {
    let natives = std::fs::read_to_string(p.dir.join("espb-build/espb_natives.c")).unwrap();
    let builtins: BTreeSet<&str> = espb_runtime::builtins::names().into_iter().collect();
    let want: BTreeSet<String> = imports(&p.module())
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| !builtins.contains(n.as_str()))
        .collect();
    let have = carried(&natives);
    assert_eq!(
        have, want,
        "the native table carries exactly the imports the runtime does not serve"
    );
    let syms = defined_symbols(&p.elf());
    for n in &have {
        assert!(
            syms.contains(n),
            "`{n}` is in the native table but not linked into the firmware"
        );
    }
    have
}

#[test]
fn template_runs_on_esp_idf_linux_target_like_on_the_host() {
    let Some(pack) = pack() else {
        eprintln!("ESPB_IDF_PACK=skip: not testing on real ESP-IDF");
        return;
    };
    let env = idf_env(&pack);
    let tmp = tempfile::tempdir().unwrap();
    let name = "fw";
    let o = Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
        .args(["espb", "new", name, "--chip", "linux"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let p = Project {
        dir: tmp.path().join(name),
        name: name.into(),
        env,
    };

    // Any order: `cargo espb build` without ESP-IDF leaves build/ to
    // idf.py, so `set-target` afterwards works.
    p.espb_ok(false, &["build"]);
    assert!(
        !p.dir.join("build").exists(),
        "cargo espb build created build/"
    );
    let bundled = imports(&p.module());
    p.idf(&["--preview", "set-target", "linux"]);
    // With ESP-IDF: the scripts see the real linux-target headers (without
    // the linux component's host-libc shims) and make the same imports.
    p.espb_ok(true, &["build"]);
    assert_eq!(
        imports(&p.module()),
        bundled,
        "imports against real ESP-IDF (linux) vs bundled SDK"
    );
    p.idf(&["build"]);
    let demo_natives = check_native_table(&p);
    assert!(
        demo_natives.contains("xTaskCreatePinnedToCore")
            && demo_natives.contains("pvTimerGetTimerID")
    );

    // The demo on real FreeRTOS prints what the host platform prints.
    let host: Vec<String> = p
        .espb_ok(true, &["run", "--virtual-time"])
        .lines()
        .map(str::to_string)
        .collect();
    let last = host.last().unwrap().clone();
    let (fw, _) = run_firmware(&p.elf(), |l| l.contains(&last));
    assert_runs_like_host(&fw, name, "firmware image", &host);

    // A module-only update that calls what this firmware does not carry is
    // refused by name, and the firmware falls back to its own module.
    let rtos = std::fs::read_to_string(repo().join("cargo-espb/tests/firmware/rtos.c")).unwrap();
    std::fs::write(p.dir.join("scripts/main.c"), rtos).unwrap();
    p.espb_ok(true, &["build"]);
    let real = imports(&p.module());
    let o = p.espb(false, &["build", "-o", "espb-build/bundled.espb"]);
    assert!(o.status.success(), "{}", text(&o));
    let bundled = imports(&std::fs::read(p.dir.join("espb-build/bundled.espb")).unwrap());
    assert_eq!(
        real, bundled,
        "imports of the rtos script: real ESP-IDF (linux) vs bundled SDK"
    );
    p.espb_ok(true, &["flash", "--module-only"]);
    let (fw, _) = run_firmware(&p.elf(), |l| l.iter().any(|x| x.contains(&host[0])));
    let refused = fw
        .iter()
        .find(|l| l.contains("cannot run the partition's module"))
        .unwrap_or_else(|| panic!("no refusal in:\n{}", fw.join("\n")));
    for f in [
        "`nvs_open`",
        "`esp_timer_create`",
        "`xQueueGenericCreate`",
        "`esp_log`",
    ] {
        assert!(refused.contains(f), "{refused}");
    }
    assert!(!refused.contains("`vTaskDelay`"), "{refused}");
    assert!(
        fw.iter()
            .any(|l| l.ends_with("module from the firmware image")),
        "{}",
        fw.join("\n")
    );

    // Rebuilt, the firmware carries them: the partition's module runs on
    // real FreeRTOS (tasks, a queue, a timer with user data, esp_timer with
    // a struct-embedded callback, NVS, ESP_LOGI) and exits like the host run.
    p.idf(&["build"]);
    let rtos_natives = check_native_table(&p);
    assert!(rtos_natives.contains("nvs_open") && rtos_natives.contains("esp_timer_create"));
    let host: Vec<String> = p
        .espb_ok(true, &["run", "--virtual-time"])
        .lines()
        .map(untimed)
        .collect();
    let (fw, status) = run_firmware(&p.elf(), |_| false);
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", fw.join("\n"));
    assert_runs_like_host(&fw, name, "espb partition", &host);

    // Firmware built before any module: it says what to do.
    std::fs::remove_dir_all(p.dir.join("espb-build")).unwrap();
    p.idf(&["build"]);
    let (fw, _) = run_firmware(&p.elf(), |l| l.iter().any(|x| x.contains("no module")));
    assert!(
        fw.iter()
            .any(|l| l.contains("no module: run `cargo espb build`")),
        "{}",
        fw.join("\n")
    );
}

/// The template's script and an event-group/log probe against ESP-IDF's
/// esp32c3 headers (the recorded clang build's compile_commands.json, its
/// paths moved to the pack and the project) make the same imports as against
/// the bundled SDK.
#[test]
fn esp32c3_headers_give_the_bundled_sdk_imports() {
    let Some(pack) = pack() else {
        return;
    };
    let env = idf_env(&pack);
    let idf_path = env.iter().find(|(k, _)| k == "IDF_PATH").unwrap().1.clone();
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
        .args(["espb", "new", "c3", "--chip", "esp32c3"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let dir = tmp.path().join("c3");
    std::fs::write(
        dir.join("scripts/probe.c"),
        "#include \"freertos/FreeRTOS.h\"\n#include \"freertos/event_groups.h\"\n\
         #include \"freertos/queue.h\"\n#include \"esp_log.h\"\n\
         int probe(EventGroupHandle_t eg, QueueHandle_t q) {\n\
           EventBits_t b = xEventGroupWaitBits(eg, BIT0 | BIT3, pdTRUE, pdTRUE, pdMS_TO_TICKS(50));\n\
           int v = 0;\n\
           if (xQueueReceive(q, &v, portMAX_DELAY) == pdTRUE) ESP_LOGI(\"probe\", \"%d %lu\", v, (unsigned long)b);\n\
           ESP_LOGW(\"probe\", \"w\");\n\
           return (int)b;\n}\n",
    )
    .unwrap();
    // The recorded ESP-IDF build, moved here; a stand-in idf.py that must not
    // be called (the build is configured already).
    let fixture = repo().join("cargo-espb/tests/fixtures/v6.2-esp32c3-clang/build");
    copy_rewritten(
        &fixture,
        &dir.join("build"),
        &[
            ("/home/dev/esp/esp-idf", idf_path.as_str()),
            ("/home/dev/demo", dir.to_str().unwrap()),
        ],
    );
    let bin = tmp.path().join("fake-idf");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("idf.py"),
        "#!/bin/sh\necho \"idf.py must not run: $*\" >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("idf.py"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let build = |with_idf: bool, out: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
        c.args(["espb", "build", "-v", "-o", out]).current_dir(&dir);
        if with_idf {
            c.env("IDF_PATH", &idf_path).env("PATH", &path);
        } else {
            c.env_remove("IDF_PATH");
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    };
    let log = build(true, "espb-build/real.espb");
    assert!(
        log.contains(&format!("{idf_path}/components/freertos")),
        "not ESP-IDF's headers:\n{log}"
    );
    build(false, "espb-build/bundled.espb");
    let real = imports(&std::fs::read(dir.join("espb-build/real.espb")).unwrap());
    let bundled = imports(&std::fs::read(dir.join("espb-build/bundled.espb")).unwrap());
    assert!(
        real.iter().any(|(n, _)| n == "esp_log")
            && real.iter().any(|(n, _)| n == "xEventGroupWaitBits")
    );
    assert_eq!(
        real, bundled,
        "imports against ESP-IDF's esp32c3 headers vs the bundled SDK"
    );
}

fn copy_rewritten(from: &Path, to: &Path, subst: &[(&str, &str)]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_rewritten(&e.path(), &dest, subst);
        } else {
            let mut t = std::fs::read_to_string(e.path()).unwrap();
            for (a, b) in subst {
                t = t.replace(a, b);
            }
            std::fs::write(dest, t).unwrap();
        }
    }
}
