//! Firmware and flashing: the native table's keep lists, `idf.py` builds,
//! module-only and whole-firmware flashing.

use super::*;

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
