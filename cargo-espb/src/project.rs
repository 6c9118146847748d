//! Finding the project a command applies to and the paths it uses.

use std::path::{Path, PathBuf};

use miette::{miette, IntoDiagnostic, Result, WrapErr};

use crate::chip::Chip;
use crate::config::{self, Config, ConfigSource, CONFIG_FILE};

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub source: ConfigSource,
    pub name: String,
}

impl Project {
    /// Walks up from `start` to the nearest `espb.toml`, or `Cargo.toml`
    /// with a `[package.metadata.espb]` table. `Ok(None)` outside a project.
    pub fn discover(start: &Path) -> Result<Option<Project>> {
        let start = std::fs::canonicalize(start)
            .into_diagnostic()
            .wrap_err_with(|| format!("{}", start.display()))?;
        for dir in start.ancestors() {
            let espb = dir.join(CONFIG_FILE);
            if espb.is_file() {
                return Project::load_espb_toml(dir).map(Some);
            }
            let cargo = dir.join("Cargo.toml");
            if cargo.is_file() {
                let text = std::fs::read_to_string(&cargo).into_diagnostic()?;
                // Cheap filter: only crates that mention our table pay for
                // `cargo metadata`.
                if text.contains("espb") {
                    if let Some(p) = Project::load_cargo(dir, &cargo, &text)? {
                        return Ok(Some(p));
                    }
                }
            }
        }
        Ok(None)
    }

    pub fn load_espb_toml(root: &Path) -> Result<Project> {
        let file = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&file)
            .into_diagnostic()
            .wrap_err_with(|| format!("reading {}", file.display()))?;
        let shown = display_name(&file);
        let config = config::parse_espb_toml(&text, Path::new(&shown))?;
        Ok(Project::new(root, config, ConfigSource::EspbToml(file)))
    }

    fn load_cargo(root: &Path, manifest: &Path, text: &str) -> Result<Option<Project>> {
        let meta = cargo_metadata::MetadataCommand::new()
            .manifest_path(manifest)
            .no_deps()
            .exec()
            .map_err(|e| miette!("`cargo metadata` failed for {}: {e}", manifest.display()))?;
        let Some(pkg) = meta.root_package() else {
            return Ok(None);
        };
        let Some(value) = pkg.metadata.get("espb") else {
            return Ok(None);
        };
        let config = match serde_json::from_value::<Config>(value.clone()) {
            Ok(c) => c,
            // Re-read the manifest itself for an error with a span.
            Err(e) => {
                match config::parse_cargo_manifest(text, Path::new(&display_name(manifest))) {
                    Err(spanned) => return Err(spanned.into()),
                    Ok(_) => {
                        return Err(miette!(
                            "[package.metadata.espb] in {}: {e}",
                            manifest.display()
                        ))
                    }
                }
            }
        };
        let mut p = Project::new(
            root,
            config,
            ConfigSource::CargoMetadata(manifest.to_path_buf()),
        );
        if p.config.project.name.is_none() {
            p.name = pkg.name.to_string();
        }
        Ok(Some(p))
    }

    fn new(root: &Path, config: Config, source: ConfigSource) -> Project {
        let name = config
            .project
            .name
            .clone()
            .or_else(|| root.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "module".into());
        Project {
            root: root.to_path_buf(),
            config,
            source,
            name,
        }
    }

    pub fn path(&self, p: &Path) -> PathBuf {
        self.root.join(p)
    }

    pub fn out_dir(&self) -> PathBuf {
        self.path(&self.config.output.dir)
    }

    pub fn module_path(&self) -> PathBuf {
        self.out_dir().join(format!("{}.espb", self.name))
    }

    pub fn partition_image_path(&self) -> PathBuf {
        self.out_dir().join(format!("{}.part.bin", self.name))
    }

    /// The file ESP-IDF's linux target loads into the emulated flash at the
    /// `espb` partition each time the firmware starts (the template's
    /// `espb_runtime` component registers it): where `flash --module-only`
    /// writes the module on that target.
    pub fn linux_flash_image_path(&self) -> PathBuf {
        self.out_dir().join("flash/espb.bin")
    }

    /// The ESP-IDF target the firmware is built for: `sdkconfig`'s
    /// `CONFIG_IDF_TARGET` once `idf.py` has written it (`set-target`
    /// changes it), else `project.chip`.
    pub fn target(&self) -> Chip {
        std::fs::read_to_string(self.root.join("sdkconfig"))
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| {
                    let v = l.strip_prefix("CONFIG_IDF_TARGET=")?;
                    Chip::from_idf_name(v.trim().trim_matches('"'))
                })
            })
            .unwrap_or(self.config.project.chip)
    }

    /// An ESP-IDF project has a top-level CMakeLists.txt.
    pub fn is_idf_project(&self) -> bool {
        self.root.join("CMakeLists.txt").is_file()
    }

    /// The script sources, relative to the project root, sorted.
    pub fn sources(&self) -> Result<Vec<PathBuf>> {
        let b = &self.config.build;
        if !b.sources.is_empty() {
            for s in &b.sources {
                if !self.path(s).is_file() {
                    return Err(miette!(
                        help = "fix `build.sources` in the project configuration",
                        "source {} does not exist",
                        s.display()
                    ));
                }
            }
            return Ok(b.sources.clone());
        }
        let dir = self.path(&b.scripts);
        if !dir.is_dir() {
            return Err(miette!(
                help = "create it, or set `build.scripts` in espb.toml to where your C scripts are",
                "the scripts directory {} does not exist",
                b.scripts.display()
            ));
        }
        let mut out = Vec::new();
        collect_c(&dir, &mut out)?;
        let mut rel: Vec<PathBuf> = out
            .iter()
            .map(|p| p.strip_prefix(&self.root).unwrap_or(p).to_path_buf())
            .collect();
        rel.sort();
        if rel.is_empty() {
            return Err(miette!(
                help = "add a `.c` file to it",
                "no C sources in {}",
                b.scripts.display()
            ));
        }
        Ok(rel)
    }
}

fn collect_c(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir)
        .into_diagnostic()
        .wrap_err_with(|| format!("reading {}", dir.display()))?
    {
        let p = e.into_diagnostic()?.path();
        if p.is_dir() {
            collect_c(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "c") {
            out.push(p);
        }
    }
    Ok(())
}

/// A path as the user would write it: relative to the working directory
/// when it is below it.
pub fn display_name(p: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    match cwd.as_deref().and_then(|c| p.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => p.display().to_string(),
    }
}
