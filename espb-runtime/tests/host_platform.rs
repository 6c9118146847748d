//! Real C scripts (tests/scripts/*.c, compiled against the bundled SDK
//! headers at -O0, -O2 and -Os) run on the host platform in virtual time,
//! with their exact output checked.
#![cfg(feature = "host")]

mod host_util;

use std::time::Duration;

use espb_runtime::host::{EndReason, GpioInput, HostConfig, RunError};
use espb_runtime::TrapKind;
use host_util::*;

/// Runs `name` at every optimisation level: exact output, end reason, and
/// the end time `time_us` (the last wake-up) plus the few µs the work after
/// it costs (`WORK_TICK_NS` per call or backward branch, which differs
/// between optimisation levels).
fn check(name: &str, cfg: impl Fn() -> HostConfig, want: &str, end: EndReason, time_us: u64) {
    for opt in OPTS {
        let (out, r) = run_script(name, opt, cfg());
        let st = r.unwrap_or_else(|e| panic!("{name}{opt}: {e}\n{out}"));
        assert_eq!(out, want, "{name}{opt}");
        assert_eq!(st.reason, end, "{name}{opt}");
        assert!(
            (time_us..time_us + 50).contains(&st.time_us),
            "{name}{opt}: ended at {} µs, not just after {time_us}",
            st.time_us
        );
    }
}

#[test]
fn freertos_timer_reads_its_id_and_stops() {
    let want = "\
period=25 active=0
once tick=10 id=7
blink id=42 n=1 tick=25
blink id=42 n=2 tick=50
blink id=42 n=3 tick=75
stopped active=0
blink id=42 n=4 tick=105
blink id=42 n=5 tick=110
done fired=5
";
    check("timers", virt, want, EndReason::Finished, 1_120_000);
}

#[test]
fn esp_timer_with_struct_embedded_callback_and_user_data() {
    // The timers start after the four and five calls before them (1 µs of
    // device time each in virtual time).
    let want = "\
again=ESP_ERR_INVALID_STATE
periodic n=1 t=1504
periodic n=2 t=3004
once arg=hello t=4205
periodic n=3 t=4504
periodic n=4 t=6004
periodic n=5 t=7504
periodic n=6 t=9004
stopped n=6 active=0 ESP_ERR_INVALID_STATE
";
    check("esp_timer", virt, want, EndReason::Finished, 10_000);
}

#[test]
fn mutex_protects_a_counter_across_three_tasks() {
    let want = "\
worker 2 done
worker 1 done
worker 0 done
counter=30 tick=30 give_unheld=0
rec 1 1 1 1 0
bin 0 1 0 1
timeout 0 after 5 ticks
";
    check("mutex", virt, want, EndReason::Finished, 350_000);
}

#[test]
fn event_groups_and_notifications() {
    let want = "\
set 1 -> 1 at 3
set 2 -> 0 at 7
all bits 3 at 7, left 0
timeout bits 0 at 11
take 1 at 13
wait ok=1 v=0x1 at 13
wait ok=0 at 14
wait ok=1 v=0xab at 15
self 1 0 prev 0 take 16 state 4
";
    check("events", virt, want, EndReason::Finished, 250_000);
}

#[test]
fn esp_log_prints_like_esp_idf() {
    let want = "\
I (0) demo: hello 42 world
W (1230) demo: warn 3.14
E (1230) other: error -5
E (1230) demo: still shown
W (1230) demo: shown at warn
lvl 2
ESP_OK ESP_ERR_TIMEOUT UNKNOWN ERROR
model=5 cores=1 features=0x12 rev=4
I (1230) demo: early 1
W (1230) demo: v2 7
W v2 bare
\x1b[0;31mE (1230) demo: v2 red\x1b[0m
heap_ok=1
";
    check("logging", virt, want, EndReason::Finished, 1_230_000);
}

#[test]
fn ten_virtual_minutes_are_fast_and_deterministic() {
    let want = "\
steady 0 at 15000 us=150000001
steady 1 at 30000 us=300000001
steady 2 at 45000 us=450000001
steady 3 at 60000 us=600000001
sum=1830000 minutes=10
";
    let t = std::time::Instant::now();
    check("long_delay", virt, want, EndReason::Finished, 600_000_000);
    // Six runs of ten device minutes; a real-time clock would need an hour.
    // The bound only catches a clock that sleeps (speed is benchmarked, not
    // asserted).
    assert!(t.elapsed() < Duration::from_secs(120), "{:?}", t.elapsed());
    let (a, _) = run_script("mutex", "-O2", virt());
    let (b, _) = run_script("mutex", "-O2", virt());
    assert_eq!(a, b, "two virtual-time runs print the same bytes");
}

#[test]
fn gpio_outputs_read_back_and_inputs_fire_the_isr() {
    let inputs = || HostConfig {
        gpio_inputs: vec![
            GpioInput {
                at_us: 500_000,
                pin: 4,
                level: true,
            },
            GpioInput {
                at_us: 700_000,
                pin: 4,
                level: false,
            },
            GpioInput {
                at_us: 900_000,
                pin: 4,
                level: true,
            },
        ],
        ..virt()
    };
    let want = "\
pin2=0
pin2=1
pin2=0
pin2=1
output-only reads 0
bad pin ESP_ERR_INVALID_ARG
edge 10 level=1 at 50
edge 20 level=1 at 90
edges=20
";
    check("gpio", inputs, want, EndReason::Finished, 2_400_000);
    let (_, r) = run_script("gpio", "-O2", inputs());
    let trace = r.unwrap().gpio_trace;
    let pin2: Vec<(u64, bool)> = trace
        .iter()
        .filter(|t| t.1 == 2)
        .map(|t| (t.0, t.2))
        .collect();
    // Set 1 µs (the call) after each 10-tick delay ends.
    assert_eq!(pin2, [(100_001, true), (200_001, false), (300_001, true)]);
    // Without the input schedule no edge ever comes.
    let (out, _) = run_script("gpio", "-O2", virt());
    assert!(out.ends_with("edges=0\n"), "{out}");
}

#[test]
fn esp_error_check_aborts_with_esp_idf_message() {
    for opt in OPTS {
        let (out, r) = run_script("error_check", opt, virt());
        assert!(
            out.starts_with(
                "before\nESP_ERROR_CHECK failed: esp_err_t 0x102 (ESP_ERR_INVALID_ARG)\nfile: \""
            ),
            "{out}"
        );
        assert!(out.ends_with("error_check.c\" line 9\nfunc: app_main\nexpression: esp_timer_start_once(NULL, 10)\n"), "{out}");
        match r {
            Err(RunError::Trap { task, trap }) => {
                assert_eq!(task, "main");
                assert!(
                    matches!(trap.kind, TrapKind::Abort(ref m) if m.contains("ESP_ERR_INVALID_ARG")),
                    "{trap}"
                );
            }
            other => panic!("{opt}: {other:?}"),
        }
    }
}

#[test]
fn a_task_that_returns_aborts_like_esp_idf() {
    let (out, r) = run_script("returns", "-O2", virt());
    assert_eq!(
        out,
        "bad runs 3\nE (0) FreeRTOS: FreeRTOS Task \"bad\" should not return, Aborting now!\n"
    );
    assert!(
        matches!(r, Err(RunError::Trap { ref task, .. }) if task == "bad"),
        "{r:?}"
    );
}

#[test]
fn run_for_ends_an_endless_script() {
    // The gpio script's handler task never ends by itself if main never
    // deletes it: cut the run at 300 ms of device time.
    let cfg = HostConfig {
        run_for: Some(Duration::from_millis(300)),
        ..virt()
    };
    let (out, r) = run_script("gpio", "-O2", cfg);
    let st = r.unwrap();
    assert_eq!(st.reason, EndReason::TimeLimit);
    assert_eq!(st.time_us, 300_000);
    assert_eq!(out, "pin2=0\npin2=1\npin2=0\n");
}

#[test]
fn real_time_mode_sleeps_for_real() {
    // The same order of events as in virtual time; tick values may differ by
    // scheduling latency on a loaded machine, so they are left out.
    let strip = |s: &str| {
        s.lines()
            .map(|l| l.split(" at ").next().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let (virt_out, _) = run_script("queue_tasks", "-O2", virt());
    let t = std::time::Instant::now();
    let (out, r) = run_script("queue_tasks", "-O2", HostConfig::default());
    let st = r.unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(st.reason, EndReason::Finished);
    assert_eq!(strip(&out), strip(&virt_out));
    // Five 100 ms delays really passed.
    assert!(
        st.time_us >= 500_000 && t.elapsed() >= Duration::from_millis(500),
        "{st:?}"
    );
}

#[test]
fn stack_high_water_mark_is_measured() {
    let want = "deep used>=1000: 1 1\nmain left<=3584: 1, deep left<main left: 1\n";
    check("stack", virt, want, EndReason::Finished, 0);
}

#[test]
fn priority_inheritance_critical_sections_and_suspend() {
    let want = "\
main after high blocked, high state 2
low holds, prio 4
high got it at 5
low gave, prio 2
in critical
high notified
after critical
sleeper 0 at 11
sleeper 1 at 21
suspended state 3
sleeper 2 at 56
tasks 4
";
    check("sched", virt, want, EndReason::Finished, 610_000);
}

#[test]
fn busy_waiting_on_the_clock_ends_in_virtual_time() {
    // Every call and backward branch of the busy loops costs 1 µs of device
    // time; the higher-priority ticker preempts the spinning main task when
    // its delay ends, as the tick interrupt makes it.
    let want = "ticker ran at 3\nbusy waits done at tick 5\n";
    for opt in OPTS {
        let (out, r) = run_script("busy_wait", opt, virt());
        assert_eq!(out, want, "{opt}");
        let st = r.unwrap();
        assert!(
            (52_000..53_500).contains(&st.time_us),
            "{opt}: {}",
            st.time_us
        );
    }
}

#[test]
fn host_handle_drives_a_pin_in_real_time() {
    use espb_runtime::host::HostRun;
    let bytes = module_bytes("gpio", "-O2");
    let module = espb_runtime::Module::parse(&bytes).unwrap();
    let (out, buf) = espb_runtime::Output::buffer();
    let run = HostRun::new(HostConfig {
        output: out,
        ..HostConfig::default()
    });
    let h = run.handle();
    let driver = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(900));
        h.drive(4, true);
        std::thread::sleep(Duration::from_millis(200));
        h.drive(4, false);
    });
    let st = run.run(&module).unwrap();
    driver.join().unwrap();
    let out = buf.to_string_lossy();
    assert_eq!(st.reason, EndReason::Finished);
    assert!(out.contains("\nedge 10 level=1 at "), "{out}");
    assert!(out.ends_with("edges=10\n"), "one rising edge: {out}");
}

#[test]
fn esp_log_writev_and_v6_esp_log() {
    let want = "W (0) va: 7 seven 7696581394432 7.5\nI (0) v6: level 3\n";
    check("log_variants", virt, want, EndReason::Finished, 0);
}

#[test]
fn task_creation_fails_cleanly_past_max_tasks() {
    // main + 3 tasks = 4 live module tasks.
    let cfg = || HostConfig {
        max_tasks: 4,
        ..virt()
    };
    check(
        "many_tasks",
        cfg,
        "ok=3 failed=7 ran=3\n",
        EndReason::Finished,
        50_000,
    );
}

#[test]
fn end_rules() {
    let run = |mode: &str| {
        let cfg = HostConfig {
            args: vec![mode.to_string()],
            ..virt()
        };
        run_script("end_rules", "-O2", cfg)
    };
    let (out, r) = run("blocked");
    assert_eq!(out, "mode blocked\n");
    assert_eq!(
        r.unwrap().reason,
        EndReason::Blocked {
            tasks: vec!["waiter".into()]
        }
    );
    assert_eq!(run("restart").1.unwrap().reason, EndReason::Restart);
    let st = run("exit").1.unwrap();
    assert_eq!((st.reason.clone(), st.code()), (EndReason::Exit(3), 3));
    assert_eq!(run("").1.unwrap().reason, EndReason::Exit(5));
    match run("abort").1 {
        Err(RunError::Trap { task, trap }) => {
            assert_eq!(task, "main");
            assert!(matches!(trap.kind, TrapKind::Abort(_)), "{trap}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn priority_is_given_back_when_a_mutex_wait_times_out() {
    let want = "\
while high waits: low prio 6
high got=0 at 3, low prio now 2
low prio after waiter timed out: 2
";
    check("inherit_timeout", virt, want, EndReason::Finished, 100_000);
}

#[test]
fn isr_posts_to_a_queue_from_isr() {
    let cfg = || HostConfig {
        gpio_inputs: vec![
            GpioInput {
                at_us: 100_000,
                pin: 5,
                level: true,
            },
            GpioInput {
                at_us: 250_000,
                pin: 5,
                level: false,
            },
            GpioInput {
                at_us: 400_000,
                pin: 5,
                level: true,
            },
        ],
        ..virt()
    };
    // The queue receiver (main, priority 1) never outranks the counter task
    // (3), which the ISR's notify readies: every ISR asks for a yield.
    let want = "\
GPIO[5] intr, val: 1 at 10
GPIO[5] intr, val: 0 at 25
GPIO[5] intr, val: 1 at 40
woken flags 3
";
    check("gpio_queue", cfg, want, EndReason::Finished, 400_000);
}

#[test]
fn timer_commands_at_the_edges() {
    let want = "periodic huge: ESP_OK\nfired at 25\ndone at 30\n";
    check("timer_edges", virt, want, EndReason::Finished, 300_000);
}

#[test]
fn esp_idf_allocators_use_the_module_heap() {
    for opt in OPTS {
        let (out, r) = run_script("heap_caps", opt, virt());
        assert_eq!(
            out, "ok zeroed=1 used>=1132: 1 same=1\nback=1 huge=0x0\n",
            "{opt}"
        );
        // The second vPortFree of the same block is a double free.
        match r {
            Err(RunError::Trap { trap, .. }) => assert!(
                matches!(trap.kind, TrapKind::HeapCorruption { .. }),
                "{trap}"
            ),
            other => panic!("{opt}: {other:?}"),
        }
    }
}
