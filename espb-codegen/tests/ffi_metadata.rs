//! FFI metadata from real clang output (riscv32, -O0/-O2/-Os) against the
//! bundled SDK headers: callbacks, user data and pointer directions/sizes
//! inferred by the analysis, merged with the bundled and user hints, as
//! emitted into the module (`cbmeta`/`immeta`) and reported per import.

use espb_codegen::{translate_with_stats, FfiSource, ImportFfi, Options, Stats};
use espb_format::{ArgPlace, Direction, FuncType, Module, SizeSpec, ValType};

const OPTS: [&str; 3] = ["-O0", "-O2", "-Os"];

mod common;

fn bitcode(name: &str, opt: &str) -> Vec<u8> {
    common::bitcode("ffi_metadata", name, opt)
}

fn build(name: &str, opt: &str, opts: &Options) -> (Module<'static>, Stats) {
    let (m, s) = translate_with_stats(&bitcode(name, opt), opts)
        .unwrap_or_else(|d| panic!("{name}{opt}: {d}"));
    // Whatever is emitted must pass the format's validator.
    let bytes = m.to_bytes();
    espb_format::parse(&bytes).unwrap_or_else(|e| panic!("{name}{opt}: invalid module: {e}"));
    (m, s)
}

fn no_bundled() -> Options {
    Options {
        use_bundled_hints: false,
        ..Options::default()
    }
}

fn user(text: &str) -> Options {
    Options {
        hints: vec![("my.hints".to_string(), text.to_string())],
        ..Options::default()
    }
}

/// The emitted metadata of one import, in a comparable form: callbacks as
/// (place, signature, user data) and pointers as (param, dir, size, handles).
type Cb = (ArgPlace, FuncType, Option<ArgPlace>);
type Ptr = (u32, Direction, SizeSpec, bool);

fn emitted(m: &Module<'_>, name: &str) -> (Vec<Cb>, Vec<Ptr>) {
    let imp = m
        .imports
        .iter()
        .position(|i| i.name == name)
        .unwrap_or_else(|| panic!("no import {name}")) as u32;
    let mut cbs: Vec<Cb> = m
        .callbacks
        .iter()
        .filter(|c| c.import == imp)
        .map(|c| (c.place, m.types[c.ty as usize].clone(), c.user_data))
        .collect();
    cbs.sort_by_key(|c| format!("{:?}", c.0));
    let mut ptrs: Vec<Ptr> = m
        .pointers
        .iter()
        .filter(|p| p.import == imp && p.field.is_none())
        .map(|p| (p.param, p.dir, p.size, p.handles))
        .collect();
    ptrs.sort_by_key(|p| p.0);
    (cbs, ptrs)
}

fn report<'a>(s: &'a Stats, name: &str) -> &'a ImportFfi {
    s.ffi
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no report for {name}"))
}

fn sig(params: &[ValType], result: Option<ValType>) -> FuncType {
    FuncType {
        params: params.to_vec(),
        result,
        variadic: false,
    }
}

/// The bundled entry for `native` (found by name: the file grows).
fn bundled(native: &str) -> FfiSource {
    let line = espb_codegen::hints::BUNDLED_ESP_IDF
        .lines()
        .position(|l| l.starts_with(&format!("{native}:")))
        .unwrap_or_else(|| panic!("no bundled entry for {native}"))
        + 1;
    FfiSource::BundledHints {
        file: "hints/esp-idf.hints".into(),
        line,
    }
}

fn user_src(line: usize) -> FfiSource {
    FfiSource::UserHints {
        file: "my.hints".into(),
        line,
    }
}

use ValType::{Ptr as P, I32};

fn task_create_expected() -> (Vec<Cb>, Vec<Ptr>) {
    (
        vec![(
            ArgPlace::Param(0),
            sig(&[P], None),
            Some(ArgPlace::Param(3)),
        )],
        vec![
            (1, Direction::In, SizeSpec::StrLen, false),
            (5, Direction::Out, SizeSpec::Const(4), true),
        ],
    )
}

fn esp_timer_expected() -> (Vec<Cb>, Vec<Ptr>) {
    (
        vec![(
            ArgPlace::Field {
                param: 0,
                offset: 0,
            },
            sig(&[P], None),
            Some(ArgPlace::Field {
                param: 0,
                offset: 4,
            }),
        )],
        vec![
            (0, Direction::In, SizeSpec::Const(20), false),
            (1, Direction::Out, SizeSpec::Const(4), true),
        ],
    )
}

#[test]
fn task_with_parameter_and_handle_and_queue_receive_into_a_local() {
    for opt in OPTS {
        let (m, s) = build("tasks_queue", opt, &Options::default());
        assert_eq!(
            emitted(&m, "xTaskCreatePinnedToCore"),
            task_create_expected(),
            "{opt}"
        );
        let r = report(&s, "xTaskCreatePinnedToCore");
        assert!(
            r.callbacks
                .iter()
                .all(|c| c.source == bundled("xTaskCreatePinnedToCore")),
            "{r:?}"
        );
        assert!(
            r.pointers
                .iter()
                .all(|p| p.source == bundled("xTaskCreatePinnedToCore")),
            "{r:?}"
        );

        // `xQueueReceive: out 1` leaves the size to the analysis: the local
        // `struct msg got` is 8 bytes.
        let (_, ptrs) = emitted(&m, "xQueueReceive");
        assert_eq!(
            ptrs,
            vec![(1, Direction::Out, SizeSpec::Const(8), false)],
            "{opt}"
        );
        let p = &report(&s, "xQueueReceive").pointers[0];
        assert_eq!(p.source, bundled("xQueueReceive"));
        assert_eq!(p.size_source, Some(FfiSource::Analysis));
        let (_, ptrs) = emitted(&m, "xQueueGenericSend");
        assert_eq!(
            ptrs,
            vec![(1, Direction::In, SizeSpec::Const(8), false)],
            "{opt}"
        );
        let (_, ptrs) = emitted(&m, "printf");
        assert_eq!(
            ptrs,
            vec![(0, Direction::In, SizeSpec::StrLen, false)],
            "{opt}"
        );
        // The format: a string literal to the analysis, and the bundled
        // libc entry says the same.
        assert_eq!(report(&s, "printf").pointers[0].source, bundled("printf"));
        assert_eq!(emitted(&m, "vTaskDelete"), (vec![], vec![]), "{opt}");
    }
}

#[test]
fn the_analysis_alone_finds_what_the_bundled_hints_say() {
    for opt in OPTS {
        let (m, s) = build("tasks_queue", opt, &no_bundled());
        assert_eq!(
            emitted(&m, "xTaskCreatePinnedToCore"),
            task_create_expected(),
            "{opt}"
        );
        let r = report(&s, "xTaskCreatePinnedToCore");
        assert!(r
            .callbacks
            .iter()
            .all(|c| c.source == FfiSource::Analysis
                && c.user_data_source == Some(FfiSource::Analysis)));
        // The received item is read after the call; the item sent was
        // written before it. (At -O2 the loops are unrolled: the other calls of
        // the same native on the same local are not module accesses.)
        assert_eq!(
            emitted(&m, "xQueueReceive").1,
            vec![(1, Direction::Out, SizeSpec::Const(8), false)],
            "{opt}"
        );
        assert_eq!(
            emitted(&m, "xQueueGenericSend").1,
            vec![(1, Direction::In, SizeSpec::Const(8), false)],
            "{opt}"
        );

        let (m, _) = build("esp_timer_struct", opt, &no_bundled());
        assert_eq!(
            emitted(&m, "esp_timer_create"),
            esp_timer_expected(),
            "{opt}"
        );

        let (m, _) = build("gpio_qsort", opt, &no_bundled());
        assert_eq!(
            emitted(&m, "gpio_isr_handler_add"),
            (
                vec![(
                    ArgPlace::Param(1),
                    sig(&[P], None),
                    Some(ArgPlace::Param(2))
                )],
                vec![]
            ),
            "{opt}"
        );
        assert_eq!(
            emitted(&m, "qsort"),
            (
                vec![(ArgPlace::Param(3), sig(&[P, P], Some(I32)), None)],
                vec![(0, Direction::InOut, SizeSpec::Const(20), false)]
            ),
            "{opt}"
        );
    }
}

#[test]
fn esp_timer_callback_inside_a_compound_literal() {
    for opt in OPTS {
        let (m, s) = build("esp_timer_struct", opt, &Options::default());
        assert_eq!(
            emitted(&m, "esp_timer_create"),
            esp_timer_expected(),
            "{opt}"
        );
        let r = report(&s, "esp_timer_create");
        assert!(r
            .callbacks
            .iter()
            .all(|c| c.source == bundled("esp_timer_create")));
        // The name field (`in 0.12 size strlen`): a pointer inside the
        // 20-byte struct argument, emitted as a field of argument 0.
        let imp = m
            .imports
            .iter()
            .position(|i| i.name == "esp_timer_create")
            .unwrap() as u32;
        let fields: Vec<_> = m
            .pointers
            .iter()
            .filter(|p| p.import == imp && p.field.is_some())
            .map(|p| (p.param, p.field, p.dir, p.size))
            .collect();
        assert_eq!(
            fields,
            vec![(0, Some(12), Direction::In, SizeSpec::StrLen)],
            "{opt}"
        );
        let name = r
            .pointers
            .iter()
            .find(|p| {
                p.place
                    == ArgPlace::Field {
                        param: 0,
                        offset: 12,
                    }
            })
            .unwrap();
        assert!(name.emitted);
        assert!(
            !r.notes.iter().any(|n| n.contains("field 0.12")),
            "{:?}",
            r.notes
        );
    }
}

#[test]
fn freertos_timer_callback() {
    for opt in OPTS {
        let (m, s) = build("timers", opt, &Options::default());
        let (cbs, ptrs) = emitted(&m, "xTimerCreate");
        // The bundled entry makes the timer ID (argument 3) the callback's
        // user data: it travels as the script's value, not as a buffer.
        assert_eq!(
            cbs,
            vec![(
                ArgPlace::Param(4),
                sig(&[P], None),
                Some(ArgPlace::Param(3))
            )],
            "{opt}"
        );
        assert_eq!(
            ptrs,
            vec![(0, Direction::In, SizeSpec::StrLen, false)],
            "{opt}"
        );
        let r = report(&s, "xTimerCreate");
        assert!(r
            .pointers
            .iter()
            .all(|p| p.place != ArgPlace::Param(3) || !p.emitted));
        assert_eq!(r.callbacks[0].source, bundled("xTimerCreate"));
    }
}

#[test]
fn gpio_isr_and_qsort_comparator() {
    for opt in OPTS {
        let (m, s) = build("gpio_qsort", opt, &Options::default());
        assert_eq!(
            emitted(&m, "gpio_isr_handler_add"),
            (
                vec![(
                    ArgPlace::Param(1),
                    sig(&[P], None),
                    Some(ArgPlace::Param(2))
                )],
                vec![]
            ),
            "{opt}"
        );
        assert_eq!(
            report(&s, "gpio_isr_handler_add").callbacks[0].source,
            bundled("gpio_isr_handler_add")
        );
        let (cbs, _) = emitted(&m, "qsort");
        assert_eq!(
            cbs,
            vec![(ArgPlace::Param(3), sig(&[P, P], Some(I32)), None)],
            "{opt}"
        );
        assert_eq!(report(&s, "qsort").callbacks[0].source, bundled("qsort"));
    }
}

#[test]
fn unknown_natives_are_described_by_the_analysis_alone() {
    for opt in OPTS {
        let (m, s) = build("unknown_native", opt, &Options::default());
        assert_eq!(
            emitted(&m, "dev_on_event"),
            (
                vec![(
                    ArgPlace::Param(0),
                    sig(&[P, I32], None),
                    Some(ArgPlace::Param(1))
                )],
                vec![]
            ),
            "{opt}"
        );
        // `struct widget *w = NULL; dev_widget_new(7, "seven", &w)`: a
        // handle the native fills in; the label is a string.
        assert_eq!(
            emitted(&m, "dev_widget_new"),
            (
                vec![],
                vec![
                    (1, Direction::In, SizeSpec::StrLen, false),
                    (2, Direction::InOut, SizeSpec::Const(4), true),
                ]
            ),
            "{opt}"
        );
        assert_eq!(
            emitted(&m, "dev_read"),
            (
                vec![],
                vec![(1, Direction::Out, SizeSpec::Const(16), false)]
            ),
            "{opt}"
        );
        assert_eq!(
            emitted(&m, "dev_job_run"),
            (
                vec![(
                    ArgPlace::Field {
                        param: 0,
                        offset: 0
                    },
                    sig(&[P], None),
                    Some(ArgPlace::Field {
                        param: 0,
                        offset: 4
                    })
                )],
                vec![(0, Direction::In, SizeSpec::Const(12), false)]
            ),
            "{opt}"
        );
        for r in s.ffi.iter().filter(|r| r.name.starts_with("dev_")) {
            assert!(r.callbacks.iter().all(|c| c.source == FfiSource::Analysis));
            assert!(r.pointers.iter().all(|p| p.source == FfiSource::Analysis));
        }
    }
}

#[test]
fn analysis_can_be_turned_off() {
    let (m, _) = build(
        "unknown_native",
        "-O2",
        &Options {
            ffi_analysis: false,
            use_bundled_hints: false,
            ..Options::default()
        },
    );
    assert!(m.callbacks.is_empty() && m.pointers.is_empty());
}

#[test]
fn a_user_hint_overrides_the_bundled_one() {
    // A user entry replaces the bundled one; without a size it leaves the
    // size to the analysis (the 20-byte array).
    let opts =
        user("# mine\nqsort: inout 0, cb 3 (ptr, ptr) -> i32\nxQueueReceive: out 1 size 16\n");
    for opt in OPTS {
        let (m, s) = build("gpio_qsort", opt, &opts);
        assert_eq!(
            emitted(&m, "qsort"),
            (
                vec![(ArgPlace::Param(3), sig(&[P, P], Some(I32)), None)],
                vec![(0, Direction::InOut, SizeSpec::Const(20), false)]
            ),
            "{opt}"
        );
        let r = report(&s, "qsort");
        assert_eq!(r.callbacks[0].source, user_src(2));
        assert_eq!(r.pointers[0].source, user_src(2));
        assert_eq!(r.pointers[0].size_source, Some(FfiSource::Analysis));

        let (m, s) = build("tasks_queue", opt, &opts);
        assert_eq!(
            emitted(&m, "xQueueReceive").1,
            vec![(1, Direction::Out, SizeSpec::Const(16), false)],
            "{opt}"
        );
        let p = &report(&s, "xQueueReceive").pointers[0];
        assert_eq!(
            (&p.source, &p.size_source),
            (&user_src(3), &Some(user_src(3)))
        );
        // Entries the user did not write stay bundled.
        assert_eq!(
            emitted(&m, "xTaskCreatePinnedToCore"),
            task_create_expected()
        );
    }
    // Without the user file the bundled entry applies (whatever size it
    // gives; the analysis's when it gives none).
    let (m, s) = build("gpio_qsort", "-O2", &Options::default());
    let entry = espb_codegen::hints::Hints::parse(espb_codegen::hints::BUNDLED_ESP_IDF).unwrap();
    let want = entry.get("qsort").unwrap().pointers[0]
        .size
        .unwrap_or(SizeSpec::Const(20));
    assert_eq!(
        emitted(&m, "qsort").1,
        vec![(0, Direction::InOut, want, false)]
    );
    assert_eq!(report(&s, "qsort").pointers[0].source, bundled("qsort"));
}

#[test]
fn a_hint_can_complete_what_the_analysis_misses() {
    // The analysis cannot know the timer ID travels to the callback: a `ud`
    // hint makes it user data instead of a buffer.
    let opts = user("xTimerCreate: in 0 size strlen, cb 4 (ptr), ud 3\n");
    let (m, s) = build("timers", "-O2", &opts);
    assert_eq!(
        emitted(&m, "xTimerCreate"),
        (
            vec![(
                ArgPlace::Param(4),
                sig(&[P], None),
                Some(ArgPlace::Param(3))
            )],
            vec![(0, Direction::In, SizeSpec::StrLen, false)]
        )
    );
    assert_eq!(
        report(&s, "xTimerCreate").callbacks[0].user_data_source,
        Some(user_src(1))
    );
}

fn diag(name: &str, hints: &str) -> espb_codegen::Diagnostics {
    translate_with_stats(&bitcode(name, "-O2"), &user(hints))
        .map(|_| ())
        .expect_err("a wrong hint is an error")
}

#[test]
fn a_wrong_user_hint_is_a_diagnostic_naming_the_file_and_line() {
    let d = diag("tasks_queue", "# ok\n\nxQueueReceive: out 5 size 4\n");
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].location, Some(("my.hints".to_string(), 3)));
    assert!(
        d.0[0].message.contains("names argument 5") && d.0[0].message.contains("takes 3"),
        "{d}"
    );

    let d = diag("gpio_qsort", "gpio_isr_handler_add: cb 0 (ptr), ud 2\n");
    assert!(
        d.0[0]
            .message
            .contains("cb argument 0 is i32, not a pointer"),
        "{d}"
    );
    assert_eq!(d.0[0].location, Some(("my.hints".to_string(), 1)));

    let d = diag("gpio_qsort", "qsort: inout 0 size arg 3, cb 3\n");
    assert!(
        d.0[0]
            .message
            .contains("size argument 3 is ptr, not an integer"),
        "{d}"
    );

    let d = diag("gpio_qsort", "qsort: cb 3, inout 3 size 4\n");
    assert!(d.0[0].message.contains("both a buffer and a cb"), "{d}");

    let d = diag(
        "esp_timer_struct",
        "esp_timer_create: cb 0.0 (ptr), ud 0.4, out 1 size 4 handle\n",
    );
    assert!(
        d.0[0].message.contains("needs the struct described too"),
        "{d}"
    );

    let d = diag(
        "esp_timer_struct",
        "esp_timer_create: in 0 size 20, cb 0.20 (ptr)\n",
    );
    assert!(d.0[0].message.contains("outside the 20-byte struct"), "{d}");

    let d = diag("timers", "xTimerCreate: cb 4, ud 1\n");
    assert!(
        d.0[0]
            .message
            .contains("ud argument 1 is i32, not a pointer"),
        "{d}"
    );

    // Describing the struct but not the callback the module stores in it:
    // the native would call a module function reference as C code.
    let d = diag(
        "esp_timer_struct",
        "\nesp_timer_create: in 0 size 20, out 1 size 4 handle\n",
    );
    assert_eq!(d.0[0].location, Some(("my.hints".to_string(), 2)));
    assert!(
        d.0[0].message.contains("passes a function at field 0.0")
            && d.0[0].message.contains("without `cb 0.0`"),
        "{d}"
    );

    // Syntax errors name the line too.
    let d = diag("timers", "\nxTimerCreate: cb 4 (ptr) ud 3\n");
    assert_eq!(d.0[0].location, Some(("my.hints".to_string(), 2)));
    assert!(d.0[0].message.contains("expected `,`"), "{d}");

    // A hint for a function the module does not import is not checked, but
    // reported (a typo would otherwise do nothing silently).
    let (_, s) = translate_with_stats(
        &bitcode("timers", "-O2"),
        &user("xTimerCreat: out 9\nxTimerCreate: in 0 size strlen, cb 4 (ptr)\n"),
    )
    .unwrap();
    assert_eq!(
        s.unused_user_hints,
        vec![("xTimerCreat".to_string(), user_src(1))]
    );
}

#[test]
fn every_pointer_the_analysis_leaves_undescribed_is_reported() {
    // A pointer the analysis cannot follow (a parameter of the caller) and a
    // bundled entry without a size: nothing is emitted, and the report says so.
    let (m, s) = build("tasks_queue", "-O0", &user("vTaskDelete: in 0\n"));
    assert_eq!(emitted(&m, "vTaskDelete"), (vec![], vec![]));
    let r = report(&s, "vTaskDelete");
    assert!(!r.pointers[0].emitted);
    assert!(
        r.notes.iter().any(|n| n.contains("no size known")),
        "{:?}",
        r.notes
    );
}

#[test]
fn natives_called_through_the_scripts_own_helpers() {
    for opt in OPTS {
        let (m, s) = build("wrappers", opt, &no_bundled());
        // The task function is a parameter of `start_task`; its callers pass
        // `worker` and `other` (same signature) and the name literals.
        let (cbs, ptrs) = emitted(&m, "xTaskCreatePinnedToCore");
        assert_eq!(
            cbs,
            vec![(
                ArgPlace::Param(0),
                sig(&[P], None),
                Some(ArgPlace::Param(3))
            )],
            "{opt}: {:?}",
            report(&s, "xTaskCreatePinnedToCore")
        );
        assert_eq!(
            ptrs,
            vec![(1, Direction::In, SizeSpec::StrLen, false)],
            "{opt}"
        );
        // `post(&r)` from two tasks: an 8-byte local the native reads.
        assert_eq!(
            emitted(&m, "xQueueGenericSend").1,
            vec![(1, Direction::In, SizeSpec::Const(8), false)],
            "{opt}"
        );
        // `fetch(&got)`: read after the (wrapper) call.
        assert_eq!(
            emitted(&m, "xQueueReceive").1,
            vec![(1, Direction::Out, SizeSpec::Const(8), false)],
            "{opt}: {:?}",
            report(&s, "xQueueReceive")
        );
    }
}

#[test]
fn callbacks_in_structs_however_the_struct_is_filled() {
    let field = |offset| ArgPlace::Field { param: 0, offset };
    let cb = vec![(field(0), sig(&[P], None), Some(field(4)))];
    for opt in OPTS {
        let (m, s) = build("struct_variants", opt, &Options::default());
        for (native, dir) in [
            ("run_a", Direction::In),
            ("run_b", Direction::In),
            ("run_c", Direction::InOut),
            ("run_d", Direction::In),
        ] {
            assert_eq!(
                emitted(&m, native),
                (cb.clone(), vec![(0, dir, SizeSpec::Const(16), false)]),
                "{native}{opt}: {:?}",
                report(&s, native)
            );
        }
    }
}

#[test]
fn a_bundled_hint_that_does_not_fit_the_scripts_declaration_is_reported() {
    let d = translate_with_stats(&bitcode("bad_decl", "-O2"), &Options::default())
        .map(|_| ())
        .expect_err("bundled `xQueueReceive: out 1` names a non-pointer");
    let line = match bundled("xQueueReceive") {
        FfiSource::BundledHints { line, .. } => line as u32,
        _ => unreachable!(),
    };
    assert_eq!(
        d.0[0].location,
        Some(("hints/esp-idf.hints".to_string(), line))
    );
    assert!(
        d.0[0].message.contains("argument 1 is i32, not a pointer")
            && d.0[0]
                .message
                .contains("declares `xQueueReceive` as (ptr, i32)"),
        "{d}"
    );
    // A user entry replaces it.
    let (m, _) = build("bad_decl", "-O2", &user("xQueueReceive: in 0 size 4\n"));
    assert_eq!(
        emitted(&m, "xQueueReceive"),
        (vec![], vec![(0, Direction::In, SizeSpec::Const(4), false)])
    );
}

/// The report renders what the module carries as `.hints` entries; fed back
/// as a user hints file with the analysis off, they give the same metadata.
#[test]
fn reported_entries_are_hints_that_reproduce_the_metadata() {
    for (name, opt) in [
        ("unknown_native", "-O0"),
        ("struct_variants", "-O2"),
        ("tasks_queue", "-Os"),
        ("gpio_qsort", "-O2"),
    ] {
        let (m, s) = build(name, opt, &Options::default());
        let text: String = s
            .ffi
            .iter()
            .filter_map(|r| r.hints_entry())
            .map(|l| l + "\n")
            .collect();
        let again = Options {
            ffi_analysis: false,
            use_bundled_hints: false,
            hints: vec![("inferred.hints".into(), text.clone())],
            ..Options::default()
        };
        let (m2, s2) = build(name, opt, &again);
        for imp in &m.imports {
            assert_eq!(
                emitted(&m, &imp.name),
                emitted(&m2, &imp.name),
                "{name}{opt} `{}` from:\n{text}",
                imp.name
            );
        }
        assert!(s2
            .ffi
            .iter()
            .flat_map(|r| r.pointers.iter().map(|p| &p.source))
            .all(
                |src| matches!(src, FfiSource::UserHints { file, .. } if file == "inferred.hints")
            ));
    }
    let (_, s) = build("unknown_native", "-O2", &Options::default());
    let line = |n: &str| report(&s, n).hints_entry().unwrap();
    assert_eq!(
        line("dev_job_run"),
        "dev_job_run: in 0 size 12, cb 0.0 (ptr), ud 0.4"
    );
    assert_eq!(
        line("dev_widget_new"),
        "dev_widget_new: in 1 size strlen, inout 2 size 4 handle"
    );
    assert_eq!(line("dev_on_event"), "dev_on_event: cb 0 (ptr, i32), ud 1");
}

#[test]
fn heap_blocks_of_constant_size_are_described() {
    let field = |offset| ArgPlace::Field { param: 0, offset };
    for opt in OPTS {
        let (m, s) = build("heap", opt, &Options::default());
        assert_eq!(
            emitted(&m, "dev_fill"),
            (
                vec![],
                vec![(0, Direction::Out, SizeSpec::Const(64), false)]
            ),
            "{opt}: {:?}",
            report(&s, "dev_fill")
        );
        assert_eq!(
            emitted(&m, "dev_send"),
            (vec![], vec![(0, Direction::In, SizeSpec::Const(16), false)]),
            "{opt}: {:?}",
            report(&s, "dev_send")
        );
        assert_eq!(
            emitted(&m, "dev_run"),
            (
                vec![(field(0), sig(&[P], None), Some(field(4)))],
                vec![(0, Direction::In, SizeSpec::Const(8), false)]
            ),
            "{opt}: {:?}",
            report(&s, "dev_run")
        );
    }
}

#[test]
fn globals_filled_by_natives_and_module_heap_functions() {
    for opt in OPTS {
        let (m, s) = build("globals", opt, &Options::default());
        assert_eq!(
            emitted(&m, "dev_widget_new"),
            (
                vec![],
                vec![(1, Direction::InOut, SizeSpec::Const(4), true)]
            ),
            "{opt}"
        );
        assert_eq!(
            emitted(&m, "dev_get"),
            (
                vec![],
                vec![(0, Direction::InOut, SizeSpec::Const(4), false)]
            ),
            "{opt}"
        );
        for heap in ["free", "realloc"] {
            // At -O2/-Os LLVM may delete the unused block altogether.
            if opt != "-O0" && !m.imports.iter().any(|i| i.name == heap) {
                continue;
            }
            assert_eq!(emitted(&m, heap), (vec![], vec![]), "{heap}{opt}");
            assert!(report(&s, heap).pointers.is_empty());
        }
    }
}

#[test]
fn odd_shapes_are_left_undescribed_rather_than_guessed() {
    for opt in OPTS {
        let (m, s) = build("odd", opt, &Options::default());
        // `take` receives a VLA, a variable element, an address before the
        // array and (through mutually recursive wrappers, past the depth
        // limit) a local: no size the analysis can vouch for.
        let r = report(&s, "take");
        assert_eq!(r.call_sites, 4, "{opt}");
        assert!(r.pointers.is_empty(), "{opt}: {r:?}");
        assert_eq!(emitted(&m, "take"), (vec![], vec![]), "{opt}");
        // The callback chosen in a loop (a phi of c1/c2) is found; the one
        // loaded from the table with a variable index says nothing.
        assert_eq!(
            report(&s, "take_cb").hints_entry().as_deref(),
            Some("take_cb: cb 0 (ptr), ud 1"),
            "{opt}"
        );
    }
}
