//! Preemption and time slicing as ESP-IDF's FreeRTOS does them
//! (`configUSE_PREEMPTION = 1`, `configUSE_TIME_SLICING = 1`, 100 Hz tick):
//! a task that computes without blocking loses the CPU at the next
//! interpreter safepoint when a higher-priority task becomes ready or its
//! tick slice ends, and in virtual time its work moves the clock.
#![cfg(feature = "host")]

mod host_util;

use std::time::Duration;

use espb_runtime::host::{EndReason, GpioInput, HostConfig};
use host_util::*;

fn printer_lines(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("printer "))
        .map(String::from)
        .collect()
}

#[test]
fn equal_priorities_share_the_cpu_tick_by_tick() {
    for opt in OPTS {
        let (out, r) = run_script("timeslice", opt, virt());
        let st = r.unwrap_or_else(|e| panic!("{opt}: {e}\n{out}"));
        assert_eq!(st.reason, EndReason::Finished, "{opt}");
        // The printer got the CPU at exactly the tick each of its delays
        // ended, all through the spinner's 2 s of computation.
        let want: Vec<String> = (0..20)
            .map(|i| format!("printer {i} at tick {}", i * 10))
            .collect();
        let got = printer_lines(&out);
        assert_eq!(got[..20], want[..], "{opt}:\n{out}");
        assert!(
            out.contains(
                "spinner done at tick 200 (it kept the CPU between the printer's turns)\n"
            ),
            "{opt}: the spinner's 2 s of work end in tick 200:\n{out}"
        );
        assert!(
            out.contains("printer saw the spinner finish\n"),
            "{opt}:\n{out}"
        );
        // Two pure loops (no call at all, only backward branches) take turns
        // at every tick and finish within a tick of each other.
        for l in 0..2 {
            assert!(
                out.contains(&format!("looper {l} done at tick")),
                "{opt}:\n{out}"
            );
        }
        let ticks: Vec<u64> = out
            .lines()
            .filter(|l| l.starts_with("looper "))
            .map(|l| {
                l.split(" at tick ")
                    .nth(1)
                    .unwrap()
                    .split(',')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert!(ticks[1] - ticks[0] <= 1, "{opt}: {ticks:?}\n{out}");
        assert!(
            out.contains("looper 0 done at tick") && out.contains("the other nearly done too"),
            "{opt}:\n{out}"
        );
        assert!(out.ends_with("main done\n"), "{opt}:\n{out}");
    }
    // Deterministic: the same bytes twice.
    let (a, _) = run_script("timeslice", "-O2", virt());
    let (b, _) = run_script("timeslice", "-O2", virt());
    assert_eq!(a, b);
}

fn preempt_inputs(cfg: HostConfig) -> HostConfig {
    HostConfig {
        gpio_inputs: vec![GpioInput {
            at_us: 777_777,
            pin: 4,
            level: true,
        }],
        ..cfg
    }
}

#[test]
fn a_woken_high_priority_task_preempts_a_spinning_one_within_a_tick() {
    let want = "\
delay: high ran within one tick
software timer: high ran within one tick
esp_timer: high ran within one tick
gpio isr: high ran within one tick
main spun until tick 150
";
    for opt in OPTS {
        let (out, r) = run_script("preempt", opt, preempt_inputs(virt()));
        let st = r.unwrap_or_else(|e| panic!("{opt}: {e}\n{out}"));
        assert_eq!(out, want, "{opt}");
        assert_eq!(st.reason, EndReason::Finished, "{opt}");
    }
}

#[test]
fn preemption_also_happens_in_real_time() {
    // Real time on a shared machine: the order of events is asserted, the
    // latency is not (the OS may be slow to wake a thread).
    let t = std::time::Instant::now();
    let (out, r) = run_script("preempt", "-O2", preempt_inputs(HostConfig::default()));
    let st = r.unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(st.reason, EndReason::Finished);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    for (l, what) in lines
        .iter()
        .zip(["delay", "software timer", "esp_timer", "gpio isr"])
    {
        assert!(l.starts_with(&format!("{what}: high ran")), "{out}");
    }
    assert!(lines[4].starts_with("main spun until tick 15"), "{out}");
    assert!(t.elapsed() >= Duration::from_millis(1500));
}
