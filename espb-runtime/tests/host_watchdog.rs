//! The task watchdog: ESP-IDF's message, when and how often it comes, what
//! the settings change.
#![cfg(feature = "host")]

mod host_util;

use std::time::Duration;

use espb_runtime::host::{EndReason, HostConfig, RunError};
use espb_runtime::TrapKind;
use host_util::*;

/// ESP-IDF's `task_wdt_isr` output on a single-core chip.
fn triggered(ms: u64, starved: &[&str], running: &str) -> String {
    let mut s = format!("E ({ms}) task_wdt: Task watchdog got triggered. The following tasks/users did not reset the watchdog in time:\n");
    for t in starved {
        s += &format!("E ({ms}) task_wdt:  - {t} (CPU 0)\n");
    }
    s += &format!(
        "E ({ms}) task_wdt: Tasks currently running:\nE ({ms}) task_wdt: CPU 0: {running}\n"
    );
    s
}

#[test]
fn a_task_that_keeps_the_cpu_is_reported_every_timeout() {
    let want = [
        "status ESP_ERR_NOT_FOUND\n".to_string(),
        "reset unsubscribed ESP_ERR_NOT_FOUND\n".into(),
        "add again ESP_ERR_INVALID_ARG, status ESP_OK\n".into(),
        "init again ESP_ERR_INVALID_STATE\n".into(),
        triggered(5000, &["main", "IDLE"], "main"),
        triggered(10000, &["main", "IDLE"], "main"),
        "resetting from 12 s\n".into(),
        // main reset in time; IDLE did not, so the timer was never restarted.
        triggered(15000, &["IDLE"], "main"),
        // IDLE ran at 18 s: the timer restarted then.
        "done\n".into(),
    ]
    .concat();
    for opt in OPTS {
        let (out, r) = run_script("watchdog", opt, virt());
        let st = r.unwrap_or_else(|e| panic!("{opt}: {e}\n{out}"));
        assert_eq!(out, want, "{opt}");
        assert_eq!(st.reason, EndReason::Finished);
    }
}

#[test]
fn computing_without_blocking_starves_idle() {
    let want = [500, 1000]
        .iter()
        .map(|&ms| triggered(ms, &["IDLE"], "main"))
        .chain(["computed a lot\n".to_string()])
        .collect::<String>();
    for opt in OPTS {
        let (out, r) = run_script(
            "wdt_compute",
            opt,
            HostConfig {
                watchdog: Some(Duration::from_millis(500)),
                ..virt()
            },
        );
        assert_eq!(out, want, "{opt}");
        assert_eq!(r.unwrap().reason, EndReason::Finished);
    }
}

#[test]
fn timeout_panic_off_and_time_limit() {
    let spin = |cfg: HostConfig| run_script("wdt_spin", "-O2", cfg);
    let (out, r) = spin(virt());
    assert_eq!(
        out,
        [
            triggered(5000, &["IDLE"], "main"),
            triggered(10000, &["IDLE"], "main"),
            "spun 11 s\n".into()
        ]
        .concat()
    );
    assert_eq!(r.unwrap().reason, EndReason::Finished);

    let (out, _) = spin(HostConfig {
        watchdog: Some(Duration::from_secs(3)),
        ..virt()
    });
    let want: String = [3000, 6000, 9000]
        .iter()
        .map(|&ms| triggered(ms, &["IDLE"], "main"))
        .chain(["spun 11 s\n".to_string()])
        .collect();
    assert_eq!(out, want);

    let (out, _) = spin(HostConfig {
        watchdog: None,
        ..virt()
    });
    assert_eq!(out, "spun 11 s\n");

    // CONFIG_ESP_TASK_WDT_PANIC: the first timeout aborts.
    let (out, r) = spin(HostConfig {
        watchdog_panic: true,
        ..virt()
    });
    assert_eq!(
        out,
        triggered(5000, &["IDLE"], "main") + "E (5000) task_wdt: Aborting.\n"
    );
    match r {
        Err(RunError::Trap { task, trap }) => {
            assert_eq!(task, "main");
            assert!(
                matches!(trap.kind, TrapKind::Abort(ref m) if m.contains("task watchdog")),
                "{trap}"
            );
        }
        other => panic!("{other:?}"),
    }

    // A time limit ends the spinning run (after one report).
    let (out, r) = spin(HostConfig {
        run_for: Some(Duration::from_secs(7)),
        ..virt()
    });
    assert_eq!(out, triggered(5000, &["IDLE"], "main"));
    let st = r.unwrap();
    assert_eq!(st.reason, EndReason::TimeLimit);
    assert!(
        (7_000_000..7_002_000).contains(&st.time_us),
        "{}",
        st.time_us
    );
}

#[test]
fn a_priority_0_task_shares_the_cpu_with_idle() {
    let (out, r) = run_script("wdt_idle_prio", "-O2", virt());
    // spin0 (priority 0) takes turns with IDLE: no report. spin1 starts at
    // 6.5 s, after main's delay, and starves IDLE until 12.5 s: reported at
    // 11.5 s, 5 s after IDLE last ran.
    let want = [
        "spun 6 s at priority 0\n".to_string(),
        triggered(11500, &["IDLE"], "spin1"),
        "spun 6 s at priority 1\n".into(),
    ]
    .concat();
    assert_eq!(out, want);
    assert_eq!(r.unwrap().reason, EndReason::Finished);
}
