//! `cargo espb run`/`build` on files outside a project: the options a PC
//! program needs (`--cflags`, `--stack-size`, `--heap-size`,
//! `--time-limit`), `.ll` inputs, `main`'s forms and `stderr`.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;

fn espb(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("cargo-espb").unwrap();
    c.arg("espb").current_dir(dir);
    c.env_remove("IDF_PATH").env_remove("ESPB_CLANG");
    c
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn time_limit_stops_a_script_that_never_returns() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "spin.c",
        "#include <stdio.h>\nvolatile int x;\nint main(void) { puts(\"started\"); for (;;) x++; }\n",
    );
    let t = Instant::now();
    let o = espb(tmp.path())
        .args(["run", "spin.c", "--time-limit", "0.5"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(124), "{}", err(&o));
    assert!(t.elapsed() < Duration::from_secs(30));
    assert_eq!(out(&o), "started\n");
    assert!(err(&o).contains("time limit (0.5 s)"), "{}", err(&o));

    // In virtual time a script that keeps delaying stops after that much
    // device time, whatever the machine's speed.
    write(
        tmp.path(),
        "tick.c",
        "#include <stdio.h>\n#include \"freertos/FreeRTOS.h\"\n#include \"freertos/task.h\"\n\
         void app_main(void) { for (int i = 0;; i++) { printf(\"%d\\n\", i); vTaskDelay(pdMS_TO_TICKS(1000)); } }\n",
    );
    let o = espb(tmp.path())
        .args(["run", "tick.c", "--virtual-time", "--time-limit", "3.5"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(124), "{}", err(&o));
    assert_eq!(out(&o), "0\n1\n2\n3\n");

    let o = espb(tmp.path())
        .args(["run", "spin.c", "--time-limit", "-1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

/// What ordinary PC programs need: big locals, deep recursion, a big heap.
const PC_PROGRAM: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }
int main(void) {
    char big[300000];
    memset(big, VAL, sizeof big);
    char *heap = malloc(20 << 20);
    if (!heap) return 3;
    heap[(20 << 20) - 1] = 1;
    printf("%d %d %d\n", big[299999], depth(10000), heap[(20 << 20) - 1]);
    return 0;
}
"#;

#[test]
fn run_outside_a_project_gives_a_pc_programs_memory() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "pc.c", PC_PROGRAM);
    let o = espb(tmp.path())
        .args(["run", "-O0", "pc.c", "--cflags", "-DVAL=7 -Wall"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "7 10000 1\n");

    // With a device's sizes the same program runs out of stack.
    let o = espb(tmp.path())
        .args([
            "run",
            "-O0",
            "pc.c",
            "--cflags=-DVAL=7",
            "--stack-size",
            "64K",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(101), "{}", err(&o));
    assert!(err(&o).contains("stack"), "{}", err(&o));

    // `build` keeps the device defaults; the options override them.
    let o = espb(tmp.path())
        .args([
            "build",
            "pc.c",
            "-DVAL=1",
            "--stack-size",
            "512K",
            "--heap-size",
            "32M",
            "-o",
            "pc.espb",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let o = espb(tmp.path())
        .args(["dump", "--json", "pc.espb"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stats"]["stack_size"], 512 * 1024, "{}", v["stats"]);
    assert_eq!(v["stats"]["heap_size"], 32 << 20, "{}", v["stats"]);

    let o = espb(tmp.path())
        .args(["run", "pc.c", "--cflags", "-DX='unbalanced"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("unbalanced quotes"), "{}", err(&o));
    let o = espb(tmp.path())
        .args(["run", "pc.c", "--heap-size", "5X"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[test]
fn main_forms_stderr_and_ll_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "args.c",
        "#include <stdio.h>\nint main(int argc, char **argv, char **envp) {\n\
         fprintf(stderr, \"to stderr %d\\n\", argc);\n\
         printf(\"%s %s\\n\", argv[1], envp[0] ? \"env\" : \"no env\");\n return argc; }\n",
    );
    let o = espb(tmp.path())
        .args(["run", "-q", "args.c", "--", "hello"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(out(&o), "hello no env\n");
    assert!(err(&o).contains("to stderr 2"), "{}", err(&o));

    write(
        tmp.path(),
        "one.c",
        "int main(int argc) { return argc + 4; }\n",
    );
    let st = std::process::Command::new("clang-19")
        .args([
            "--target=riscv32-unknown-elf",
            "-O2",
            "-S",
            "-emit-llvm",
            "one.c",
            "-o",
            "one.ll",
        ])
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(st.success());
    let o = espb(tmp.path()).args(["run", "one.ll"]).output().unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));

    write(
        tmp.path(),
        "bad.c",
        "void app_main(int a, int b, int c) {}\n",
    );
    let o = espb(tmp.path()).args(["run", "bad.c"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("app_main"), "{}", err(&o));
}

/// `--natives`: the user's own C functions, compiled for the PC into a
/// shared library (or given as one), called with the signatures the script
/// declares — callbacks, user data and out-parameters included.
#[test]
fn natives_from_c_sources_and_shared_libraries() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "natives.c",
        "#include <stdio.h>\n\
         int add3(int a, int b, int c) { return a + b + c; }\n\
         double scale(double x, int k) { return x * k; }\n\
         void call_each(void (*cb)(int, void *), void *ud, int n) { for (int i = 0; i < n; i++) cb(i, ud); }\n\
         int fill(char *buf, int n) { return snprintf(buf, n, \"native %d\", 42); }\n",
    );
    write(
        tmp.path(),
        "main.c",
        "#include <stdio.h>\n\
         int add3(int, int, int);\n\
         double scale(double, int);\n\
         void call_each(void (*cb)(int, void *), void *ud, int n);\n\
         int fill(char *buf, int n);\n\
         static void count(int i, void *ud) { *(int *)ud += i; }\n\
         int main(void) {\n\
             int total = 0;\n\
             call_each(count, &total, 5);\n\
             char buf[32];\n\
             int n = fill(buf, sizeof buf);\n\
             printf(\"%d %.1f %d %s %d\\n\", add3(1, 2, 3), scale(1.5, 4), total, buf, n);\n\
             return 0;\n\
         }\n",
    );
    let want = "6 6.0 10 native 42 9\n";
    let o = espb(tmp.path())
        .args(["run", "main.c", "--natives", "natives.c"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), want);

    // Without them the import is unresolved, and the help says how to give them.
    let o = espb(tmp.path()).args(["run", "main.c"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("--natives"), "{}", err(&o));

    // A shared library built elsewhere works the same.
    let st = std::process::Command::new("clang-19")
        .args(["-shared", "-fPIC", "-o", "libmine.so", "natives.c"])
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(st.success());
    let o = espb(tmp.path())
        .args(["run", "main.c", "--natives", "libmine.so"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), want);

    // Bad inputs: a source that does not compile, a file of another kind.
    write(
        tmp.path(),
        "broken.c",
        "int add3(int a, int b, int c) { return a + ; }\n",
    );
    let o = espb(tmp.path())
        .args(["run", "main.c", "--natives", "broken.c"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("broken.c"), "{}", err(&o));
    let o = espb(tmp.path())
        .args(["run", "main.c", "--natives", "main.espb"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("not a `.c` or `.so`"), "{}", err(&o));
}

/// `esp_flash.h`, `esp_cpu.h` and `esp_rom_get_cpu_ticks_per_us` on the host
/// platform: a NOR flash (writes only clear bits, sector erases, ESP-IDF's
/// error codes) and a 160 MHz cycle counter on the run's clock.
#[test]
fn flash_and_cpu_cycles_on_the_host_platform() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "flash.c",
        "#include <stdio.h>\n\
         #include <string.h>\n\
         #include \"esp_flash.h\"\n\
         #include \"esp_cpu.h\"\n\
         #include \"esp_rom_sys.h\"\n\
         #include \"freertos/FreeRTOS.h\"\n\
         #include \"freertos/task.h\"\n\
         \n\
         void app_main(void) {\n\
             uint32_t size = 0, id = 0;\n\
             esp_flash_get_size(esp_flash_default_chip, &size);\n\
             esp_flash_read_id(NULL, &id);\n\
             printf(\"size %u id %06x\\n\", (unsigned)size, (unsigned)id);\n\
             uint8_t buf[8];\n\
             esp_flash_read(NULL, buf, 0x1000, sizeof buf);\n\
             printf(\"erased %02x\\n\", buf[0]);\n\
             const uint8_t a[4] = {0xf0, 0x0f, 0x55, 0xaa};\n\
             const uint8_t b[4] = {0x3c, 0xff, 0xff, 0x00};\n\
             esp_flash_write(NULL, a, 0x1000, 4);\n\
             esp_flash_write(NULL, b, 0x1000, 4);\n\
             esp_flash_read(NULL, buf, 0x1000, 4);\n\
             printf(\"written %02x %02x %02x %02x\\n\", buf[0], buf[1], buf[2], buf[3]);\n\
             printf(\"misaligned erase %x\\n\", esp_flash_erase_region(NULL, 0x1001, 4096));\n\
             printf(\"past the end %x\\n\", esp_flash_read(NULL, buf, size - 2, 4));\n\
             esp_flash_erase_region(NULL, 0x1000, 4096);\n\
             esp_flash_read(NULL, buf, 0x1000, 4);\n\
             printf(\"after erase %02x\\n\", buf[0]);\n\
             uint32_t t0 = esp_cpu_get_cycle_count();\n\
             vTaskDelay(pdMS_TO_TICKS(10));\n\
             uint32_t dt = esp_cpu_get_cycle_count() - t0;\n\
             printf(\"ticks/us %u, 10 ms = %u cycles\\n\", (unsigned)esp_rom_get_cpu_ticks_per_us(), (unsigned)dt);\n\
         }\n\
         ",
    );
    let o = espb(tmp.path())
        .args(["run", "--virtual-time", "flash.c"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let (head, cycles) = text
        .trim_end()
        .rsplit_once(", 10 ms = ")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        head,
        "size 4194304 id c84016\nerased ff\nwritten 30 0f 55 00\nmisaligned erase 102\n\
         past the end 104\nafter erase ff\nticks/us 160"
    );
    // vTaskDelay(1 tick) ends at the next tick: the executed work before
    // `t0` is virtual time too, so the delay is at most one tick (10 ms at
    // 160 MHz) and more than the printf-sized part of one.
    let cycles: u32 = cycles
        .strip_suffix(" cycles")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!((1_400_000..=1_600_000).contains(&cycles), "{text}");
}

/// Files of the PC on the host platform: the `fopen` family on real files,
/// `tmpnam`, `tmpfile`, `rename`, `remove`, and `signal`/`raise` (newlib's
/// signal numbers: SIGUSR1 is 30).
#[test]
fn files_and_signals_on_the_host_platform() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "files.c",
        "#include <stdio.h>\n\
         #include <string.h>\n\
         #include <signal.h>\n\
         \n\
         static volatile int got;\n\
         static void on_sig(int s) { got = s; }\n\
         \n\
         int main(void) {\n\
             char name[L_tmpnam];\n\
             if (!tmpnam(name)) return 1;\n\
             FILE *f = fopen(name, \"w\");\n\
             if (!f) return 2;\n\
             fprintf(f, \"line %d\\n\", 1);\n\
             fputs(\"second\\n\", f);\n\
             fputc('x', f);\n\
             fwrite(\"yz\\n\", 1, 3, f);\n\
             fclose(f);\n\
             f = fopen(name, \"r\");\n\
             char buf[64];\n\
             while (fgets(buf, sizeof buf, f))\n\
                 printf(\"read: %s\", buf);\n\
             printf(\"eof %d error %d\\n\", feof(f), ferror(f));\n\
             rewind(f);\n\
             printf(\"after rewind eof %d, first char %c\\n\", feof(f), fgetc(f));\n\
             ungetc('L', f);\n\
             printf(\"pushed back %c, tell %ld\\n\", fgetc(f), ftell(f));\n\
             fseek(f, 0, SEEK_END);\n\
             printf(\"size %ld\\n\", ftell(f));\n\
             fclose(f);\n\
             f = fopen(name, \"a+\");\n\
             fputs(\"appended\\n\", f);\n\
             fseek(f, -9, SEEK_END);\n\
             size_t n = fread(buf, 1, sizeof buf, f);\n\
             buf[n] = 0;\n\
             printf(\"tail %zu: %s\", n, buf);\n\
             fclose(f);\n\
             char other[L_tmpnam];\n\
             tmpnam(other);\n\
             printf(\"rename %d, old gone %d, remove %d\\n\", rename(name, other), fopen(name, \"r\") == NULL, remove(other));\n\
             printf(\"missing %d\\n\", fopen(\"/nonexistent/dir/file\", \"r\") == NULL);\n\
             FILE *t = tmpfile();\n\
             fprintf(t, \"%s\", \"temp data\");\n\
             rewind(t);\n\
             fgets(buf, sizeof buf, t);\n\
             printf(\"tmpfile: %s\\n\", buf);\n\
             fclose(t);\n\
             fprintf(stdout, \"stdout still works\\n\");\n\
             signal(SIGUSR1, on_sig);\n\
             raise(SIGUSR1);\n\
             printf(\"handler saw %d\\n\", got);\n\
             signal(SIGUSR2, SIG_IGN);\n\
             printf(\"ignored %d\\n\", raise(SIGUSR2));\n\
             return 0;\n\
         }\n\
         ",
    );
    let o = espb(tmp.path())
        .args(["run", "files.c"])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "read: line 1\n\
         read: second\n\
         read: xyz\n\
         eof 1 error 0\n\
         after rewind eof 0, first char l\n\
         pushed back L, tell 1\n\
         size 18\n\
         tail 9: appended\n\
         rename 0, old gone 1, remove 0\n\
         missing 1\n\
         tmpfile: temp data\n\
         stdout still works\n\
         handler saw 30\n\
         ignored 0\n\
         "
    );
    // A signal left at its default action ends the run like abort().
    write(
        tmp.path(),
        "raise.c",
        "#include <signal.h>\n#include <stdio.h>\nint main(void) { puts(\"before\"); raise(SIGTERM); puts(\"after\"); return 0; }\n",
    );
    let o = espb(tmp.path()).args(["run", "raise.c"]).output().unwrap();
    assert_eq!(o.status.code(), Some(101), "{}", err(&o));
    assert_eq!(out(&o), "before\n");
    assert!(err(&o).contains("signal 15"), "{}", err(&o));
}
