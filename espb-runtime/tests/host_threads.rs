//! Native threads — a native library's own threads, no FreeRTOS task —
//! entering the module through callbacks and calling FreeRTOS: what ESP-IDF
//! allows in an interrupt works, what needs a task fails with a message
//! naming the call, and nothing deadlocks.
#![cfg(feature = "host")]

mod ffi_util;
mod host_natives;
mod host_util;

use std::time::Duration;

use espb_runtime::host::{EndReason, HostConfig, RunError};
use espb_runtime::TrapKind;
use host_natives::run_linked;
use host_util::*;

fn real() -> HostConfig {
    HostConfig {
        // The library's thread calls in while every task waits forever.
        wait_for_natives: true,
        // A safety net: a failure ends as a time limit, not a hang.
        run_for: Some(Duration::from_secs(30)),
        ..HostConfig::default()
    }
}

#[test]
fn native_threads_use_freertos_as_an_isr_would() {
    let want = "\
got 1 (FromISR, main waited forever)
got 2 (FromISR, main waited forever)
got 3 (FromISR, main waited forever)
got 1 (xQueueSend with no wait)
got 2 (xQueueSend with no wait)
fire and wait: 0
got 1 (sent while main was in the native call)
got 2 (sent while main was in the native call)
shared 12000
high got 3 while main computed
";
    let _serial = host_natives::serial();
    for opt in OPTS {
        let (out, r, ffi) = run_linked(&module_bytes("native_thread", opt), real());
        let st = r.unwrap_or_else(|e| panic!("{opt}: {e}\n{out}"));
        assert_eq!(out, want, "{opt}");
        assert_eq!(st.reason, EndReason::Finished, "{opt}");
        assert!(ffi.take_callback_traps().is_empty(), "{opt}");
    }
}

fn refused(entry: &str, call: &str, why: &str) {
    let _serial = host_natives::serial();
    let cfg = HostConfig {
        entry: Some(entry.into()),
        ..real()
    };
    let (out, r, ffi) = run_linked(&module_bytes("native_thread", "-O2"), cfg);
    assert_eq!(out, "", "{entry}");
    match r {
        Err(RunError::Trap { task, trap }) => {
            assert_eq!(task, "native thread \"wk-worker\"", "{entry}");
            let TrapKind::Host(m) = &trap.kind else {
                panic!("{entry}: {trap}")
            };
            assert!(
                m.starts_with(&format!(
                    "{call}: called from native thread \"wk-worker\", which is not a FreeRTOS task, and {why}; "
                )),
                "{entry}: {m}"
            );
        }
        other => panic!("{entry}: {other:?}"),
    }
    // The callback got the trap too (the native code saw a return of 0).
    let traps = ffi.take_callback_traps();
    assert_eq!(traps.len(), 1, "{entry}: {traps:?}");
    let join: extern "C" fn() -> i32 = host_natives::native("wk_join");
    assert_eq!(join(), 0);
}

#[test]
fn calls_that_need_a_task_fail_naming_the_call() {
    refused("bad_wait", "xQueueReceive", "may wait (10 ticks)");
    refused("bad_delay", "vTaskDelay", "it needs a calling task");
}
