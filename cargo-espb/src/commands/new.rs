//! `cargo espb new <name>`: writes a project from `templates/c-idf`
//! (embedded in the binary, so an installed `cargo espb` needs no checkout).

use std::path::Path;

use include_dir::{include_dir, Dir};
use miette::{miette, IntoDiagnostic, Result, WrapErr};

use super::Context;
use crate::cli::NewArgs;

static TEMPLATE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../templates/c-idf");

/// The espb checkout this binary was built from; the template's runtime
/// component builds the runtime from it unless `ESPB_ROOT` says otherwise.
const ESPB_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Names CMake, ESP-IDF and C identifiers all accept.
fn check_name(name: &str) -> Result<()> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(miette!(
            help = "use letters, digits, `_` and `-`, starting with a letter",
            "`{name}` is not a valid project name"
        ))
    }
}

fn template_files(dir: &'static Dir<'static>, out: &mut Vec<(&'static Path, &'static [u8])>) {
    for f in dir.files() {
        out.push((f.path(), f.contents()));
    }
    for d in dir.dirs() {
        template_files(d, out);
    }
}

pub fn run(cx: &Context, a: &NewArgs) -> Result<()> {
    let dir = cx.cwd.join(&a.name);
    let name = a
        .name
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| miette!("`{}` has no name", a.name.display()))?;
    check_name(name)?;
    if dir.exists() && std::fs::read_dir(&dir).into_diagnostic()?.next().is_some() {
        return Err(miette!(
            help = "pick another name, or remove the directory",
            "{} already exists and is not empty",
            dir.display()
        ));
    }
    let root = std::fs::canonicalize(ESPB_ROOT).unwrap_or_else(|_| ESPB_ROOT.into());
    let mut files = Vec::new();
    template_files(&TEMPLATE, &mut files);
    files.sort();
    for (rel, contents) in files {
        // Dot-files are stored without the dot so that tools walking the
        // template directory do not treat them as the repository's own.
        let rel = if rel == Path::new("gitignore") {
            Path::new(".gitignore")
        } else {
            rel
        };
        let dest = dir.join(rel);
        let text = std::str::from_utf8(contents)
            .map_err(|_| miette!("template file {} is not UTF-8", rel.display()))?;
        let text = text
            .replace("{{name}}", name)
            .replace("{{chip}}", a.chip.name())
            .replace("{{espb_root}}", &root.display().to_string());
        if let Some(p) = dest.parent() {
            std::fs::create_dir_all(p)
                .into_diagnostic()
                .wrap_err_with(|| format!("creating {}", p.display()))?;
        }
        std::fs::write(&dest, text)
            .into_diagnostic()
            .wrap_err_with(|| format!("writing {}", dest.display()))?;
    }
    if cx.rep.json() {
        cx.rep.emit(&serde_json::json!({"reason": "project-created", "path": dir, "name": name, "chip": a.chip.name()}));
    } else {
        cx.rep.status(
            "Created",
            &format!(
                "ESP-IDF project `{name}` for {} in {}",
                a.chip,
                a.name.display()
            ),
        );
        cx.rep.status(
            "Next",
            &format!(
                "cd {} && cargo espb build && cargo espb run --virtual-time",
                a.name.display()
            ),
        );
        if a.chip == crate::chip::Chip::Linux {
            cx.rep.status(
                "Firmware",
                &format!(
                    "with ESP-IDF: idf.py build && ./build/{name}.elf (real FreeRTOS on this PC)"
                ),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("demo_1-x").is_ok());
        assert!(check_name("1demo").is_err());
        assert!(check_name("de mo").is_err());
        assert!(check_name("").is_err());
    }
}
