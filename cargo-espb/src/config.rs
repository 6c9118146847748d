//! The project configuration: `espb.toml` at the project root, or
//! `[package.metadata.espb]` in the firmware crate's `Cargo.toml`. The schema
//! is documented key by key in `docs/config.md`; keep the two in step.

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};

use crate::chip::Chip;

/// File name of the project configuration.
pub const CONFIG_FILE: &str = "espb.toml";

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub project: ProjectConfig,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub ffi: FfiConfig,
    #[serde(default)]
    pub memory: MemoryConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default)]
    pub flash: FlashConfig,
    #[serde(default)]
    pub run: RunConfig,
    #[serde(default)]
    pub firmware: FirmwareConfig,
}

/// `cargo espb run` on this PC.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunConfig {
    /// The project's own native functions for host runs: C sources
    /// (compiled for this PC into a shared library) or `.so` files, relative
    /// to the project root (`--natives` adds more).
    #[serde(default)]
    pub natives: Vec<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectConfig {
    /// Module name (`espb-build/<name>.espb`); the project directory's name
    /// when absent.
    pub name: Option<String>,
    #[serde(default)]
    pub chip: Chip,
    /// Function `run` calls and the firmware starts.
    #[serde(default = "default_entry")]
    pub entry: String,
}

impl Default for ProjectConfig {
    fn default() -> Self {
        ProjectConfig {
            name: None,
            chip: Chip::default(),
            entry: default_entry(),
        }
    }
}

fn default_entry() -> String {
    "app_main".into()
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildConfig {
    /// Directory holding the scripts' C sources.
    #[serde(default = "default_scripts")]
    pub scripts: PathBuf,
    /// Sources to compile; every `*.c` under `scripts` when empty.
    #[serde(default)]
    pub sources: Vec<PathBuf>,
    #[serde(default)]
    pub include_dirs: Vec<PathBuf>,
    /// `NAME` or `NAME=VALUE`, passed as `-D`.
    #[serde(default)]
    pub defines: Vec<String>,
    /// Extra clang arguments, appended last.
    #[serde(default)]
    pub cflags: Vec<String>,
    #[serde(default)]
    pub opt_level: OptLevel,
    /// Keep line tables so traps name the C line.
    #[serde(default = "yes")]
    pub debug_lines: bool,
    /// Unroll small loops (up to 8x) of optimised code: fewer dispatches per
    /// iteration, larger modules (`false` when flash is tight).
    #[serde(default = "yes")]
    pub unroll_loops: bool,
    /// Whether to take flags from an ESP-IDF build when ESP-IDF is present.
    #[serde(default)]
    pub idf: IdfMode,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            scripts: default_scripts(),
            sources: Vec::new(),
            include_dirs: Vec::new(),
            defines: Vec::new(),
            cflags: Vec::new(),
            opt_level: OptLevel::default(),
            debug_lines: true,
            unroll_loops: true,
            idf: IdfMode::default(),
        }
    }
}

fn default_scripts() -> PathBuf {
    "scripts".into()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum IdfMode {
    /// Use ESP-IDF's flags when `IDF_PATH` is set and `idf.py` is on `PATH`.
    #[default]
    Auto,
    /// Always use the bundled SDK headers.
    Never,
    /// Fail when ESP-IDF is not available.
    Require,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FfiConfig {
    /// User `.hints` files; they override the bundled ones.
    #[serde(default)]
    pub hints: Vec<PathBuf>,
    /// Fast-symbol tables the module resolves its imports against.
    #[serde(default)]
    pub symbol_tables: Vec<PathBuf>,
    /// Export every non-static function (so `run --entry` can call it);
    /// `app_main` and `main` are exported either way.
    #[serde(default = "yes")]
    pub export_all: bool,
}

impl Default for FfiConfig {
    fn default() -> Self {
        FfiConfig {
            hints: Vec::new(),
            symbol_tables: Vec::new(),
            export_all: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MemoryConfig {
    /// Bytes of module heap (`malloc`).
    #[serde(default = "default_heap")]
    pub heap_size: u32,
    /// Bytes of shadow stack per task running module code.
    #[serde(default = "default_stack")]
    pub stack_size: u32,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            heap_size: default_heap(),
            stack_size: default_stack(),
        }
    }
}

fn default_heap() -> u32 {
    32 * 1024
}

fn default_stack() -> u32 {
    8 * 1024
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OutputConfig {
    /// Where the module, the firmware blob and the partition image go.
    #[serde(default = "default_out_dir")]
    pub dir: PathBuf,
    /// Write `<dir>/espb_module_blob.c` for the firmware to embed.
    #[serde(default = "yes")]
    pub embed: bool,
    /// Write `<dir>/<name>.part.bin` for `flash --module-only`.
    #[serde(default = "yes")]
    pub partition_image: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: default_out_dir(),
            embed: true,
            partition_image: true,
        }
    }
}

/// Beside ESP-IDF's `build/`, not inside it: `idf.py set-target` and
/// `fullclean` refuse a `build/` that is not CMake's, and would delete the
/// module and the native table the firmware embeds.
fn default_out_dir() -> PathBuf {
    "espb-build".into()
}

/// What the firmware carries for modules (docs/firmware.md).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FirmwareConfig {
    /// Write `<output dir>/espb_natives.c` (+ `.cmake`): the native table
    /// the template's firmware compiles and registers.
    #[serde(default = "yes")]
    pub native_table: bool,
    /// Functions the firmware carries besides the modules' imports, so that
    /// modules loaded later (module-only updates) may call them.
    #[serde(default)]
    pub keep: Vec<String>,
    /// Symbol tables whose every function the firmware carries: `"esp-idf"`
    /// (the bundled table) or a `.espbsym` file.
    #[serde(default)]
    pub keep_tables: Vec<String>,
}

impl Default for FirmwareConfig {
    fn default() -> Self {
        FirmwareConfig {
            native_table: true,
            keep: Vec::new(),
            keep_tables: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FlashConfig {
    #[serde(default = "default_partition_table")]
    pub partition_table: PathBuf,
    /// Name of the data partition that holds the module.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// Where the partition table itself sits in flash
    /// (`CONFIG_PARTITION_TABLE_OFFSET`), needed to place partitions whose
    /// offset column is empty.
    #[serde(default = "default_table_offset")]
    pub partition_table_offset: u32,
}

impl Default for FlashConfig {
    fn default() -> Self {
        FlashConfig {
            partition_table: default_partition_table(),
            partition: default_partition(),
            partition_table_offset: default_table_offset(),
        }
    }
}

fn default_partition_table() -> PathBuf {
    "partitions.csv".into()
}

fn default_partition() -> String {
    "espb".into()
}

fn default_table_offset() -> u32 {
    0x8000
}

/// LLVM optimisation level: `0`–`3`, `"s"` or `"z"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptLevel {
    O0,
    O1,
    #[default]
    O2,
    O3,
    Os,
    Oz,
}

impl OptLevel {
    pub fn parse(s: &str) -> Option<OptLevel> {
        Some(match s {
            "0" => OptLevel::O0,
            "1" => OptLevel::O1,
            "2" => OptLevel::O2,
            "3" => OptLevel::O3,
            "s" => OptLevel::Os,
            "z" => OptLevel::Oz,
            _ => return None,
        })
    }

    /// The clang flag.
    pub fn flag(self) -> &'static str {
        match self {
            OptLevel::O0 => "-O0",
            OptLevel::O1 => "-O1",
            OptLevel::O2 => "-O2",
            OptLevel::O3 => "-O3",
            OptLevel::Os => "-Os",
            OptLevel::Oz => "-Oz",
        }
    }
}

impl fmt::Display for OptLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.flag()[2..])
    }
}

impl std::str::FromStr for OptLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        OptLevel::parse(s)
            .ok_or_else(|| format!("`{s}` is not an optimisation level (0, 1, 2, 3, s, z)"))
    }
}

impl Serialize for OptLevel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for OptLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = OptLevel;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an optimisation level: 0, 1, 2, 3, \"s\" or \"z\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<OptLevel, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<OptLevel, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OptLevel, E> {
                OptLevel::parse(v)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A configuration file that does not follow the schema.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid configuration in {file}: {message}")]
#[diagnostic(code(espb::config), help("{help}"))]
pub struct ConfigError {
    pub file: String,
    pub message: String,
    pub help: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
}

/// Where a project's configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    EspbToml(PathBuf),
    CargoMetadata(PathBuf),
}

impl ConfigSource {
    pub fn path(&self) -> &Path {
        match self {
            ConfigSource::EspbToml(p) | ConfigSource::CargoMetadata(p) => p,
        }
    }
}

/// Parses `espb.toml` text; errors point into the file.
pub fn parse_espb_toml(text: &str, file: &Path) -> Result<Config, ConfigError> {
    toml::from_str::<Config>(text).map_err(|e| config_error(e, text, file, ""))
}

/// The part of a `Cargo.toml` that holds our table, kept as a typed path so
/// that a bad key inside it still gets a span into the manifest.
#[derive(Deserialize)]
struct Manifest {
    package: Option<ManifestPackage>,
}

#[derive(Deserialize)]
struct ManifestPackage {
    metadata: Option<ManifestMetadata>,
}

#[derive(Deserialize)]
struct ManifestMetadata {
    espb: Option<Config>,
}

/// Reads `[package.metadata.espb]` from a crate manifest. `Ok(None)` when the
/// table is absent.
pub fn parse_cargo_manifest(text: &str, file: &Path) -> Result<Option<Config>, ConfigError> {
    let m: Manifest =
        toml::from_str(text).map_err(|e| config_error(e, text, file, "package.metadata.espb"))?;
    Ok(m.package.and_then(|p| p.metadata).and_then(|m| m.espb))
}

fn config_error(e: toml::de::Error, text: &str, file: &Path, table: &str) -> ConfigError {
    let message = e.message().trim().to_string();
    let span = e.span().map(|r| SourceSpan::from(r.start..r.end));
    let where_ = if table.is_empty() {
        String::new()
    } else {
        format!(" (in [{table}])")
    };
    let help = if message.starts_with("unknown field") {
        format!("remove or rename the key{where_}; every key is listed in docs/config.md")
    } else {
        format!("see docs/config.md for the schema{where_}")
    };
    let label = if message.starts_with("unknown field") {
        "unknown key".to_string()
    } else {
        "here".to_string()
    };
    ConfigError {
        file: file.display().to_string(),
        message,
        help,
        src: NamedSource::new(file.display().to_string(), text.to_string()),
        span,
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_an_empty_file() {
        let c = parse_espb_toml("", Path::new("espb.toml")).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.project.entry, "app_main");
        assert_eq!(c.build.scripts, PathBuf::from("scripts"));
        assert_eq!(c.output.dir, PathBuf::from("espb-build"));
    }

    #[test]
    fn opt_level_accepts_numbers_and_letters() {
        let c = parse_espb_toml("[build]\nopt-level = 0\n", Path::new("espb.toml")).unwrap();
        assert_eq!(c.build.opt_level, OptLevel::O0);
        let c = parse_espb_toml("[build]\nopt-level = \"s\"\n", Path::new("espb.toml")).unwrap();
        assert_eq!(c.build.opt_level, OptLevel::Os);
        let e =
            parse_espb_toml("[build]\nopt-level = \"fast\"\n", Path::new("espb.toml")).unwrap_err();
        assert!(e.message.contains("optimisation level"), "{}", e.message);
    }

    #[test]
    fn unroll_loops_reaches_the_translator_options() {
        let c = parse_espb_toml("[build]\nunroll-loops = false\n", Path::new("espb.toml")).unwrap();
        assert!(!c.build.unroll_loops);
        let o = crate::translate::TranslateOptions::from_config(&c);
        assert!(!o.unroll_loops);
        // Part of the cache key, so toggling it retranslates.
        let on = crate::translate::TranslateOptions::from_config(&Config::default());
        assert!(on.unroll_loops);
        assert_ne!(o.key_parts(), on.key_parts());
    }

    #[test]
    fn unknown_key_is_named_and_located() {
        let text = "[build]\nscripts = \"s\"\nopt_levle = 2\n";
        let e = parse_espb_toml(text, Path::new("espb.toml")).unwrap_err();
        assert!(e.message.contains("opt_levle"), "{}", e.message);
        let span = e.span.unwrap();
        assert_eq!(
            &text[span.offset()..span.offset() + span.len()],
            "opt_levle"
        );
    }

    #[test]
    fn cargo_metadata_table_is_read() {
        let text =
            "[package]\nname = \"fw\"\n[package.metadata.espb.project]\nchip = \"esp32s3\"\n";
        let c = parse_cargo_manifest(text, Path::new("Cargo.toml"))
            .unwrap()
            .unwrap();
        assert_eq!(c.project.chip, Chip::Esp32s3);
        assert!(
            parse_cargo_manifest("[package]\nname = \"x\"\n", Path::new("Cargo.toml"))
                .unwrap()
                .is_none()
        );
        let e = parse_cargo_manifest(
            "[package.metadata.espb]\nbogus = 1\n",
            Path::new("Cargo.toml"),
        )
        .unwrap_err();
        assert!(e.message.contains("bogus"));
    }
}
