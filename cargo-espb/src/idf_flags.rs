//! Compile flags for scripts taken from ESP-IDF's own CMake build
//! (`build/compile_commands.json`), so a script sees exactly the headers,
//! `sdkconfig.h` and defines the firmware was built with.
//!
//! ESP-IDF writes one entry per source with a `command` string. The target
//! is either inline (GCC toolchains: `-march=…`, `-mlongcalls`) or in a
//! response file (`@"<build>/toolchain/cflags"`, clang toolchain). We keep
//! what changes the meaning of the code (`-D`, `-U`, include paths, `-std`,
//! a few `-f` semantics switches), drop what only concerns GCC, object
//! files, warnings or the backend, and replace the target with one upstream
//! clang understands.
//!
//! ESP-IDF's `linux` target compiles for the PC, and its `linux` component
//! puts host-libc shims on every include path (`sys/cdefs.h` pulling in
//! libbsd's `bsd/sys/cdefs.h`, `string.h` pulling in `bsd/string.h`, …).
//! A script is a riscv32 module using newlib whatever the target, so those
//! directories are left out: the script then sees exactly what it sees for a
//! chip, and makes the same imports.

use std::path::{Path, PathBuf};

use miette::{miette, Context, IntoDiagnostic, Result};
use serde::Deserialize;

use crate::chip::Chip;

/// One entry of `compile_commands.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub directory: PathBuf,
    pub file: PathBuf,
    #[serde(default)]
    pub command: Option<String>,
    /// CMake writes `command`; other generators write `arguments`.
    #[serde(default)]
    pub arguments: Option<Vec<String>>,
}

/// Which compiler will compile the scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClangKind {
    /// LLVM's clang: knows no `-mcpu=esp32c3` and no Xtensa.
    Upstream,
    /// Espressif's esp-clang: takes ESP-IDF's target flags as they are.
    Espressif,
}

/// The toolchain the ESP-IDF build used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdfToolchain {
    Clang,
    Gcc,
    /// The `linux` target: the host's compiler, no chip.
    Host,
}

/// Flags for compiling a script, extracted from one ESP-IDF entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFlags {
    pub chip: Chip,
    pub toolchain: IdfToolchain,
    /// Target selection (`--target=…`, `-march=…`, `-mabi=…` or `-mcpu=…`).
    pub target: Vec<String>,
    /// Everything else kept, in ESP-IDF's order.
    pub flags: Vec<String>,
    /// Flags that were dropped, for `-v`.
    pub dropped: Vec<String>,
}

impl ScriptFlags {
    pub fn all(&self) -> Vec<String> {
        self.target.iter().chain(&self.flags).cloned().collect()
    }
}

pub fn read_compile_commands(path: &Path) -> Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("reading {}", path.display()))?;
    let entries: Vec<Entry> = serde_json::from_str(&text).map_err(|e| {
        miette!(
            help = "delete the build directory and run `idf.py reconfigure`",
            "{} is not a compilation database: {e}",
            path.display()
        )
    })?;
    if entries.is_empty() {
        return Err(miette!(
            help = "run `idf.py reconfigure` in the project",
            "{} has no entries",
            path.display()
        ));
    }
    Ok(entries)
}

/// The entry whose flags a script gets. Scripts are not ESP-IDF components,
/// so they take the flags of the `main` component (which sees every
/// component's public headers), unless the script itself is in the build.
pub fn select_entry<'a>(entries: &'a [Entry], script: &Path, project_dir: &Path) -> &'a Entry {
    let abs = |e: &Entry| {
        if e.file.is_absolute() {
            e.file.clone()
        } else {
            e.directory.join(&e.file)
        }
    };
    if let Some(e) = entries.iter().find(|e| abs(e) == script) {
        return e;
    }
    let main = project_dir.join("main");
    if let Some(e) = entries.iter().find(|e| abs(e).starts_with(&main)) {
        return e;
    }
    // The project may have moved since CMake ran: match on `main/` under the
    // entry's own build directory's parent.
    if let Some(e) = entries.iter().find(|e| {
        e.directory
            .parent()
            .is_some_and(|p| abs(e).starts_with(p.join("main")))
    }) {
        return e;
    }
    &entries[0]
}

/// What ESP-IDF knew about the build beyond the compile commands.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    /// `target` from `project_description.json` (`esp32c3`, `linux`, …).
    pub idf_target: Option<String>,
    /// Where `compile_commands.json` really lies now (it may have moved).
    pub build_dir: PathBuf,
}

/// Reads the `target` of `project_description.json`, if there is one.
pub fn read_build_info(build_dir: &Path) -> BuildInfo {
    #[derive(Deserialize)]
    struct Desc {
        target: Option<String>,
    }
    let idf_target = std::fs::read_to_string(build_dir.join("project_description.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Desc>(&t).ok())
        .and_then(|d| d.target);
    BuildInfo {
        idf_target,
        build_dir: build_dir.to_path_buf(),
    }
}

/// Extracts a script's flags from `entry`. `fallback_chip` is used when
/// neither the compiler, its flags nor `project_description.json` name the
/// target.
pub fn extract(
    entry: &Entry,
    info: &BuildInfo,
    kind: ClangKind,
    fallback_chip: Chip,
) -> Result<ScriptFlags> {
    let args = match (&entry.arguments, &entry.command) {
        (Some(a), _) => a.clone(),
        (None, Some(c)) => shlex::split(c).ok_or_else(|| {
            miette!(
                "the command for {} in compile_commands.json has unbalanced quotes",
                entry.file.display()
            )
        })?,
        (None, None) => {
            return Err(miette!(
                "the entry for {} has neither `command` nor `arguments`",
                entry.file.display()
            ))
        }
    };
    let Some((compiler, rest)) = args.split_first() else {
        return Err(miette!(
            "the entry for {} has an empty command",
            entry.file.display()
        ));
    };

    let mut args = Vec::with_capacity(rest.len());
    for a in rest {
        match a.strip_prefix('@') {
            Some(file) => args.extend(read_response_file(file.trim_matches('"'), entry, info)?),
            None => args.push(a.clone()),
        }
    }

    let compiler_name = Path::new(compiler)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(compiler);
    let mut toolchain = if compiler_name.contains("clang") {
        IdfToolchain::Clang
    } else {
        IdfToolchain::Gcc
    };
    let mut chip = chip_from_compiler(compiler_name);
    let mut target_flags = Vec::new();
    let mut flags = Vec::new();
    let mut dropped = Vec::new();
    let source = entry.file.to_string_lossy().into_owned();

    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        // Options whose value may be the next argument.
        let joined = |prefix: &str| -> Option<(String, usize)> {
            if a == prefix {
                args.get(i + 1).map(|v| (v.clone(), 2))
            } else {
                a.strip_prefix(prefix).map(|v| (v.to_string(), 1))
            }
        };
        if let Some((v, n)) = joined("-D") {
            flags.push(format!("-D{v}"));
            i += n;
        } else if let Some((v, n)) = joined("-U") {
            flags.push(format!("-U{v}"));
            i += n;
        } else if let Some((v, n)) = joined("-I") {
            flags.push(format!("-I{}", absolute(&entry.directory, &v)));
            i += n;
        } else if let Some(opt) = ["-isystem", "-iquote", "-idirafter", "-include", "-imacros"]
            .into_iter()
            .find(|o| a == *o)
        {
            let v = args
                .get(i + 1)
                .ok_or_else(|| miette!("`{opt}` without a value in the command for {source}"))?;
            flags.push(opt.to_string());
            flags.push(absolute(&entry.directory, v));
            i += 2;
        } else if a == "-o" || a == "-MF" || a == "-MT" || a == "-MQ" {
            dropped.extend(args[i..(i + 2).min(args.len())].iter().cloned());
            i += 2;
        } else {
            if let Some(t) = a.strip_prefix("--target=") {
                if t.starts_with("riscv32") || t.starts_with("xtensa") {
                    toolchain = IdfToolchain::Clang;
                }
                target_flags.push(a.clone());
            } else if let Some(cpu) = a.strip_prefix("-mcpu=") {
                if let Some(c) = Chip::from_idf_name(cpu) {
                    chip = Some(c);
                }
                target_flags.push(a.clone());
            } else if a.starts_with("-march=") || a.starts_with("-mabi=") {
                target_flags.push(a.clone());
            } else if a.starts_with("-std=") || keeps_semantics(a) {
                flags.push(a.clone());
            } else if *a == source
                || a.ends_with(".c") && Path::new(a).file_name() == entry.file.file_name()
            {
                // The source itself: each script names its own.
            } else {
                dropped.push(a.clone());
            }
            i += 1;
        }
    }

    let linux = info.idf_target.as_deref() == Some("linux");
    if linux {
        toolchain = IdfToolchain::Host;
        chip = Some(Chip::Linux);
        let (shims, kept): (Vec<String>, Vec<String>) =
            flags.into_iter().partition(|f| is_host_libc_shim(f));
        dropped.extend(shims);
        flags = kept;
    }
    if chip.is_none() {
        chip = info.idf_target.as_deref().and_then(Chip::from_idf_name);
    }
    let chip = chip.unwrap_or(fallback_chip);

    let target = match kind {
        // esp-clang understands ESP-IDF's own target flags for every chip.
        ClangKind::Espressif if toolchain == IdfToolchain::Clang && !target_flags.is_empty() => {
            target_flags.clone()
        }
        _ => {
            dropped.extend(target_flags);
            chip.target_flags()
        }
    };
    Ok(ScriptFlags {
        chip,
        toolchain,
        target,
        flags,
        dropped,
    })
}

/// An include directory of ESP-IDF's `linux` component: its headers adapt
/// the host's glibc (and libbsd) to ESP-IDF, which a riscv32/newlib script
/// must not see (`-I<idf>/components/linux/include`, `…/linux_include`).
fn is_host_libc_shim(flag: &str) -> bool {
    let Some(dir) = flag.strip_prefix("-I") else {
        return false;
    };
    let dir = Path::new(dir);
    let mut parts = dir.components().rev();
    let last = parts.next().and_then(|c| c.as_os_str().to_str());
    let component = parts.next().and_then(|c| c.as_os_str().to_str());
    let components = parts.next().and_then(|c| c.as_os_str().to_str());
    matches!(last, Some("include" | "linux_include"))
        && component == Some("linux")
        && components == Some("components")
}

/// `-f` switches that change what the code means (and so must match the
/// firmware); every other `-f` only steers GCC's backend or diagnostics.
fn keeps_semantics(a: &str) -> bool {
    const EXACT: &[&str] = &[
        "-fsigned-char",
        "-funsigned-char",
        "-fno-signed-char",
        "-fno-unsigned-char",
        "-fshort-enums",
        "-fno-short-enums",
        "-fshort-wchar",
        "-fcommon",
        "-fno-common",
        "-ffreestanding",
        "-fno-strict-aliasing",
        "-fwrapv",
        "-fno-delete-null-pointer-checks",
    ];
    EXACT.contains(&a) || a.starts_with("-fmacro-prefix-map=") || a.starts_with("-fno-builtin")
}

fn chip_from_compiler(name: &str) -> Option<Chip> {
    // xtensa-esp32s3-elf-gcc, riscv32-esp-elf-gcc (chip given by -march)…
    let rest = name.strip_prefix("xtensa-")?;
    let chip = rest.split('-').next()?;
    Chip::from_idf_name(chip)
}

fn absolute(dir: &Path, p: &str) -> String {
    let path = Path::new(p);
    if path.is_absolute() {
        p.to_string()
    } else {
        dir.join(path).to_string_lossy().into_owned()
    }
}

/// Reads a GCC/clang response file. When the project moved since CMake ran,
/// the recorded absolute path is stale: rebase it from the entry's build
/// directory onto the build directory we actually read.
fn read_response_file(file: &str, entry: &Entry, info: &BuildInfo) -> Result<Vec<String>> {
    let recorded = PathBuf::from(absolute(&entry.directory, file));
    let candidates = [
        Some(recorded.clone()),
        recorded
            .strip_prefix(&entry.directory)
            .ok()
            .map(|rel| info.build_dir.join(rel)),
    ];
    for c in candidates.into_iter().flatten() {
        if let Ok(text) = std::fs::read_to_string(&c) {
            return shlex::split(&text)
                .ok_or_else(|| miette!("response file {} has unbalanced quotes", c.display()));
        }
    }
    Err(miette!(
        help = "run `idf.py reconfigure` so ESP-IDF writes it again",
        "the response file {} named in compile_commands.json does not exist",
        recorded.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cmd: &str) -> Entry {
        Entry {
            directory: "/p/build".into(),
            file: "/p/main/m.c".into(),
            command: Some(cmd.into()),
            arguments: None,
        }
    }

    fn info() -> BuildInfo {
        BuildInfo {
            idf_target: None,
            build_dir: "/p/build".into(),
        }
    }

    #[test]
    fn gcc_xtensa_drops_gcc_only_flags() {
        let e = entry(
            "/x/xtensa-esp32-elf-gcc -DA=1 -I include -I/abs -mlongcalls -Wno-frame-address \
             -fstrict-volatile-bitfields -fno-tree-switch-conversion -fno-shrink-wrap -Og -ggdb \
             -std=gnu17 -o main/m.c.obj -c /p/main/m.c",
        );
        let f = extract(&e, &info(), ClangKind::Upstream, Chip::Esp32c6).unwrap();
        assert_eq!(f.chip, Chip::Esp32);
        assert_eq!(f.toolchain, IdfToolchain::Gcc);
        assert_eq!(
            f.flags,
            ["-DA=1", "-I/p/build/include", "-I/abs", "-std=gnu17"]
        );
        assert_eq!(f.target, Chip::Esp32.target_flags());
        assert!(f.dropped.contains(&"-mlongcalls".to_string()));
        assert!(!f.dropped.iter().any(|d| d.ends_with("m.c")));
    }

    #[test]
    fn gcc_riscv_takes_chip_from_project_description() {
        let e = entry(
            "riscv32-esp-elf-gcc -march=rv32imac_zicsr_zifencei -mabi=ilp32 -D X -isystem sys -c /p/main/m.c",
        );
        let i = BuildInfo {
            idf_target: Some("esp32c6".into()),
            ..info()
        };
        let f = extract(&e, &i, ClangKind::Upstream, Chip::Esp32c3).unwrap();
        assert_eq!(f.chip, Chip::Esp32c6);
        assert_eq!(
            f.all(),
            [
                "--target=riscv32-esp-elf",
                "-march=rv32imac_zicsr_zifencei",
                "-mabi=ilp32",
                "-DX",
                "-isystem",
                "/p/build/sys"
            ]
        );
    }

    #[test]
    fn arguments_arrays_are_read_like_commands() {
        let mut e = entry("");
        e.command = None;
        e.arguments = Some(
            [
                "gcc",
                "-D",
                "A=\"x y\"",
                "-Iinc",
                "-std=gnu11",
                "-c",
                "/p/main/m.c",
            ]
            .map(String::from)
            .to_vec(),
        );
        let f = extract(&e, &info(), ClangKind::Upstream, Chip::Esp32c3).unwrap();
        assert_eq!(f.flags, ["-DA=\"x y\"", "-I/p/build/inc", "-std=gnu11"]);
        e.arguments = Some(Vec::new());
        assert!(extract(&e, &info(), ClangKind::Upstream, Chip::Esp32c3).is_err());
        e.arguments = None;
        assert!(extract(&e, &info(), ClangKind::Upstream, Chip::Esp32c3).is_err());
    }

    #[test]
    fn unbalanced_quotes_and_missing_response_file_are_errors() {
        let e = entry("cc -DX=\"oops -c m.c");
        assert!(extract(&e, &info(), ClangKind::Upstream, Chip::Esp32c3).is_err());
        let e = entry("clang @\"/nonexistent/cflags\" -c m.c");
        let err = extract(&e, &info(), ClangKind::Upstream, Chip::Esp32c3).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/cflags"), "{err}");
    }

    fn fixture(name: &str) -> (Vec<Entry>, BuildInfo) {
        let build = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
            .join("build");
        (
            read_compile_commands(&build.join("compile_commands.json")).unwrap(),
            read_build_info(&build),
        )
    }

    fn expected(name: &str) -> Vec<String> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
            .join("expected-flags.txt");
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Each real (and derived) ESP-IDF build gives exactly the flags listed
    /// beside it; the project has moved since CMake ran (the fixtures were
    /// configured in /home/dev), as it has on every machine but the first.
    #[test]
    fn fixtures_give_exact_flags() {
        for (name, chip, toolchain) in [
            ("v6.2-esp32c3-clang", Chip::Esp32c3, IdfToolchain::Clang),
            ("v6.2-linux-gcc", Chip::Linux, IdfToolchain::Host),
            ("v5.3-esp32-gcc", Chip::Esp32, IdfToolchain::Gcc),
            ("v5.3-esp32c3-gcc", Chip::Esp32c3, IdfToolchain::Gcc),
        ] {
            let (entries, info) = fixture(name);
            let e = select_entry(
                &entries,
                Path::new("/elsewhere/scripts/main.c"),
                Path::new("/elsewhere"),
            );
            assert!(
                e.file.ends_with("main/hello_world_main.c"),
                "{name}: picked {}",
                e.file.display()
            );
            let f = extract(e, &info, ClangKind::Upstream, Chip::Esp32c3).unwrap();
            assert_eq!(f.all(), expected(name), "{name}");
            assert_eq!((f.chip, f.toolchain), (chip, toolchain), "{name}");
            for gone in ["-Werror", "-Og", "-ggdb", "-ffunction-sections", "-c", "-o"] {
                assert!(
                    f.dropped.iter().any(|d| d == gone),
                    "{name}: {gone} not dropped"
                );
            }
        }
    }

    #[test]
    fn linux_target_leaves_out_the_host_libc_shims() {
        let (entries, info) = fixture("v6.2-linux-gcc");
        let f = extract(&entries[0], &info, ClangKind::Upstream, Chip::Esp32c3).unwrap();
        for shim in ["components/linux/include", "components/linux/linux_include"] {
            assert!(
                f.dropped.iter().any(|d| d.ends_with(shim)),
                "{shim} not dropped"
            );
            assert!(!f.all().iter().any(|d| d.ends_with(shim)), "{shim} kept");
        }
        // ESP-IDF's own linux-specific headers (FreeRTOS port, ROM) stay.
        assert!(f
            .all()
            .iter()
            .any(|d| d.ends_with("portable/linux/include")));
        assert!(f.all().iter().any(|d| d.ends_with("esp_rom/linux/include")));
        assert!(!is_host_libc_shim("-I/p/components/mylinux/include"));
        assert!(!is_host_libc_shim("-I/p/main/linux/include"));
    }

    #[test]
    fn gcc_only_flags_are_dropped() {
        let (entries, info) = fixture("v5.3-esp32-gcc");
        let f = extract(&entries[0], &info, ClangKind::Upstream, Chip::Esp32c3).unwrap();
        for gcc in [
            "-mlongcalls",
            "-fstrict-volatile-bitfields",
            "-fno-tree-switch-conversion",
            "-Wno-old-style-declaration",
        ] {
            assert!(f.dropped.iter().any(|d| d == gcc), "{gcc}");
            assert!(!f.all().iter().any(|d| d == gcc), "{gcc}");
        }
    }

    #[test]
    fn response_file_target_kept_for_esp_clang() {
        let (entries, info) = fixture("v6.2-esp32c3-clang");
        let f = extract(&entries[0], &info, ClangKind::Espressif, Chip::Esp32c6).unwrap();
        assert_eq!(f.target, ["--target=riscv32-esp-elf", "-mcpu=esp32c3"]);
        let f = extract(&entries[0], &info, ClangKind::Upstream, Chip::Esp32c6).unwrap();
        assert!(f.dropped.iter().any(|d| d == "-mcpu=esp32c3"));
        assert_eq!(f.chip, Chip::Esp32c3);
    }
}
