//! `cargo espb run` on the host: files outside a project, argv and exit
//! status, traps with C lines, entry points, time limits, project natives.

use super::*;

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
