//! `cargo espb flash`: the whole firmware with `idf.py flash`, or with
//! `--module-only` just the module, written into the `espb` partition with
//! esptool at the offset the project's partition table gives. On ESP-IDF's
//! `linux` target, whose flash is emulated, `--module-only` writes the
//! partition's contents to the file the firmware loads into its emulated
//! flash at every start.

use std::path::{Path, PathBuf};
use std::process::Command;

use miette::{miette, Result};

use super::build::not_in_project;
use super::Context;
use crate::chip::Chip;
use crate::cli::FlashArgs;
use crate::embed;
use crate::idf::{self, NO_IDF_HELP};
use crate::partitions;
use crate::project::{display_name, Project};

pub fn run(cx: &Context, a: &FlashArgs) -> Result<()> {
    let p = cx.project()?.ok_or_else(|| not_in_project(cx))?;
    if p.target() == Chip::Linux {
        return linux(cx, &p, a);
    }
    let port = a
        .port
        .clone()
        .or_else(|| std::env::var("ESPPORT").ok().filter(|s| !s.is_empty()));
    if !a.dry_run && port.is_none() && serial_ports().is_empty() {
        return Err(miette!(
            help = "connect the board, or pass --port (e.g. --port /dev/ttyUSB0) or set ESPPORT",
            "no serial port found (looked for /dev/ttyUSB* and /dev/ttyACM*)"
        ));
    }
    let cmd = if a.module_only {
        module_command(cx, &p, a, port.as_deref())?
    } else {
        firmware_command(&p, a, port.as_deref())?
    };
    if a.dry_run {
        print_dry_run(cx, &shell_line(&cmd));
        return Ok(());
    }
    if !a.module_only && idf::detect().is_none() {
        return Err(miette!(
            help = NO_IDF_HELP,
            "flashing the firmware needs ESP-IDF, which is not available in this shell"
        ));
    }
    let mut cmd = cmd;
    cx.rep.command(&cmd);
    let status = cmd
        .status()
        .map_err(|e| miette!("cannot run {}: {e}", cmd.get_program().to_string_lossy()))?;
    if !status.success() {
        return Err(miette!(
            help = "see the tool's output above",
            "flashing failed ({status})"
        ));
    }
    cx.rep.status(
        "Flashed",
        if a.module_only {
            "the module into the espb partition"
        } else {
            "the firmware"
        },
    );
    Ok(())
}

/// What `--dry-run` would have done.
fn print_dry_run(cx: &Context, line: &str) {
    if cx.rep.json() {
        cx.rep
            .emit(&serde_json::json!({"reason": "flash-command", "command": line}));
    } else {
        println!("{line}");
    }
}

fn serial_ports() -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir("/dev") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ttyUSB") || n.starts_with("ttyACM"))
        })
        .collect()
}

fn shell_line(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    shlex::try_join(parts.iter().map(|s| s.as_str())).unwrap_or_else(|_| parts.join(" "))
}

fn firmware_command(p: &Project, a: &FlashArgs, port: Option<&str>) -> Result<Command> {
    if !p.is_idf_project() {
        return Err(miette!(
            "{} is not an ESP-IDF project (no CMakeLists.txt)",
            p.root.display()
        ));
    }
    let idf_py = idf::detect()
        .map(|i| i.idf_py)
        .unwrap_or_else(|| "idf.py".into());
    let mut cmd = Command::new(idf_py);
    cmd.arg("-C").arg(&p.root);
    if let Some(port) = port {
        cmd.args(["-p", port]);
    }
    if let Some(b) = a.baud {
        cmd.args(["-b", &b.to_string()]);
    }
    cmd.arg("flash");
    Ok(cmd)
}

/// The linux target: the firmware is a program on this PC, its flash a file.
fn linux(cx: &Context, p: &Project, a: &FlashArgs) -> Result<()> {
    if !a.module_only {
        return Err(miette!(
            help = format!(
                "run it: build/{}.elf (after `idf.py build`); `--module-only` updates its module",
                p.name
            ),
            "the linux target's firmware is a program on this PC: there is no board to flash"
        ));
    }
    let (image, part) = module_image(p)?;
    let dest = p.linux_flash_image_path();
    if a.dry_run {
        print_dry_run(
            cx,
            &format!(
                "write {} ({} bytes) for partition `{}` at {:#x}",
                display_name(&dest),
                image.len(),
                part.name,
                part.offset
            ),
        );
        return Ok(());
    }
    embed::write_if_changed(&dest, &image)?;
    cx.rep.status(
        "Flashed",
        &format!(
            "the module into the emulated `{}` partition ({}): the firmware runs it from its next start",
            part.name,
            display_name(&dest)
        ),
    );
    Ok(())
}

/// The module as a partition image, checked to be a valid module that fits
/// the `espb` data partition of the project's partition table.
fn module_image(p: &Project) -> Result<(Vec<u8>, partitions::Partition)> {
    let module = p.module_path();
    let bytes = std::fs::read(&module).map_err(|_| {
        miette!(
            help = "run `cargo espb build` first",
            "no module at {}",
            display_name(&module)
        )
    })?;
    espb_format::parse(&bytes).map_err(|e| {
        miette!(
            help = "rebuild it with `cargo espb build`",
            "{} is not a valid module: {e}",
            display_name(&module)
        )
    })?;

    let table_path = p.path(&p.config.flash.partition_table);
    let text = std::fs::read_to_string(&table_path).map_err(|e| {
        miette!(
            help = "set `flash.partition-table` in espb.toml",
            "reading {}: {e}",
            display_name(&table_path)
        )
    })?;
    let parts = partitions::parse(
        &text,
        &display_name(&table_path),
        p.config.flash.partition_table_offset,
    )?;
    let want = &p.config.flash.partition;
    let part = parts.iter().find(|x| &x.name == want).ok_or_else(|| {
        miette!(
            help = format!(
                "add a data partition named `{want}` to {}",
                display_name(&table_path)
            ),
            "the partition table has no `{want}` partition"
        )
    })?;
    if part.kind != "data" {
        return Err(miette!(
            "partition `{want}` is of type `{}`; the module needs a data partition",
            part.kind
        ));
    }
    let image = embed::partition_image(&bytes);
    if image.len() as u64 > part.size as u64 {
        return Err(miette!(
            help = "enlarge the partition in the partition table, or shrink the module (opt-level = \"s\" or \"z\")",
            "the module image is {} bytes but partition `{want}` holds only {} bytes",
            image.len(),
            part.size
        ));
    }
    Ok((image, part.clone()))
}

fn module_command(cx: &Context, p: &Project, a: &FlashArgs, port: Option<&str>) -> Result<Command> {
    let (image, part) = module_image(p)?;
    let image_path = p.partition_image_path();
    embed::write_if_changed(&image_path, &image)?;

    let esptool = ["esptool.py", "esptool"]
        .iter()
        .find_map(|t| which::which(t).ok());
    if esptool.is_none() && !a.dry_run {
        return Err(miette!(
            help = "install it with `pip install esptool`, or run `. $IDF_PATH/export.sh`",
            "esptool not found (looked for esptool.py and esptool on PATH)"
        ));
    }
    let mut cmd = Command::new(
        esptool
            .map(|t| t.file_name().map(PathBuf::from).unwrap_or(t))
            .unwrap_or_else(|| "esptool.py".into()),
    );
    cmd.args(["--chip", p.target().name()]);
    if let Some(port) = port {
        cmd.args(["-p", port]);
    }
    if let Some(b) = a.baud {
        cmd.args(["-b", &b.to_string()]);
    }
    cmd.args(["write_flash", &format!("{:#x}", part.offset)])
        .arg(relative(&cx.cwd, &image_path));
    Ok(cmd)
}

fn relative(cwd: &Path, p: &Path) -> PathBuf {
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    p.strip_prefix(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}
