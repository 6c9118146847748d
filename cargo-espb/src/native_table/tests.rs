use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use super::*;

fn table(imports: &[&str], keep: &[&str], module_tables: Vec<SymbolTable>) -> NativeTable {
    let builtins: BTreeSet<String> = ["printf", "malloc", "puts"]
        .into_iter()
        .map(String::from)
        .collect();
    NativeTable::plan(Plan {
        imports: imports.iter().map(|n| (n.to_string(), None)).collect(),
        builtins: &builtins,
        keep: keep.iter().map(|s| s.to_string()).collect(),
        keep_tables: Vec::new(),
        module_tables,
        providers: &Providers::bundled(),
    })
}

#[test]
fn providers_match_exact_names_then_the_longest_prefix() {
    let p = Providers::bundled();
    assert_eq!(p.component("xTaskCreatePinnedToCore"), Some("freertos"));
    assert_eq!(p.component("esp_timer_create"), Some("esp_timer"));
    assert_eq!(p.component("esp_log"), Some("log"));
    assert_eq!(p.component("esp_log_timestamp"), Some("log"));
    assert_eq!(p.component("nvs_get_i32"), Some("nvs_flash"));
    assert_eq!(p.component("esp_err_to_name"), Some("esp_common"));
    assert_eq!(p.component("_esp_error_check_failed"), Some("esp_system"));
    assert_eq!(p.component("esp_rom_printf"), Some("esp_rom"));
    assert_eq!(p.component("my_sensor_read"), None);
    // Every function of the bundled fast-symbol table has a provider, except
    // the stdio ones the runtime serves itself.
    let t = SymbolTable::parse(BUNDLED_TABLE).unwrap();
    let served = [
        "printf",
        "puts",
        "putchar",
        "snprintf",
        "sprintf",
        "vprintf",
        "vsnprintf",
    ];
    for e in &t.entries {
        assert!(
            served.contains(&e.name.as_str()) || p.component(&e.name).is_some(),
            "{} has no provider",
            e.name
        );
    }
}

#[test]
fn carries_exactly_the_imports_the_runtime_does_not_serve() {
    let t = table(
        &[
            "printf",
            "xTaskCreatePinnedToCore",
            "vTaskDelay",
            "malloc",
            "my_sensor_read",
        ],
        &["nvs_open"],
        Vec::new(),
    );
    let names: Vec<&str> = t.natives.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "my_sensor_read",
            "nvs_open",
            "vTaskDelay",
            "xTaskCreatePinnedToCore"
        ]
    );
    assert_eq!(t.components(), ["freertos", "nvs_flash"]);
    assert_eq!(
        t.cmake().lines().last(),
        Some("set(ESPB_NATIVE_COMPONENTS freertos nvs_flash)")
    );
}

/// The generated C compiles (as C17 with -Wall -Wextra -Werror, as ESP-IDF
/// does), references exactly the carried functions, and turns a function of
/// a component absent from the build into a NULL entry naming it.
#[test]
fn generated_source_compiles_and_references_exactly_the_carried_functions() {
    let symtab =
        SymbolTable::parse("table mine\n0 printf\n1 vTaskDelay\n2 esp_log if CONFIG_LOG_X\n")
            .unwrap();
    let t = table(
        &[
            "printf",
            "xTaskCreatePinnedToCore",
            "vTaskDelay",
            "nvs_open",
            "esp_log",
        ],
        &[],
        vec![symtab],
    );
    let src = t.c_source("demo", &Providers::bundled());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("espb_natives.c"), &src).unwrap();
    std::fs::write(dir.path().join("sdkconfig.h"), "#define CONFIG_LOG_X 1\n").unwrap();
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../espb-runtime/include");
    let obj = dir.path().join("natives.o");
    let out = Command::new("clang-19")
        .args(["-std=gnu17", "-Wall", "-Wextra", "-Werror", "-c"])
        .arg("-I")
        .arg(dir.path())
        .arg("-I")
        .arg(&include)
        // FreeRTOS and log in the build, nvs_flash not.
        .args([
            "-DESPB_HAVE_FREERTOS=1",
            "-DESPB_HAVE_LOG=1",
            "-DESPB_HAVE_NVS_FLASH=0",
        ])
        .arg(dir.path().join("espb_natives.c"))
        .arg("-o")
        .arg(&obj)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{src}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nm = Command::new("nm").arg("-u").arg(&obj).output().unwrap();
    let undefined: BTreeSet<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_string))
        .collect();
    let want: BTreeSet<String> = ["esp_log", "vTaskDelay", "xTaskCreatePinnedToCore"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(undefined, want, "{src}");
    assert!(
        src.contains("{\"nvs_open\", NULL, \"component nvs_flash\"}"),
        "{src}"
    );
    assert!(
        src.contains("#if ESPB_HAVE_LOG && defined(CONFIG_LOG_X)"),
        "{src}"
    );
    // The fast-symbol table keeps every slot, the runtime's printf a NULL one.
    assert!(src.contains("{\"printf\", NULL, NULL},"), "{src}");
    let hash = SymbolTable::parse("table mine\n0 printf\n1 vTaskDelay\n2 esp_log\n")
        .unwrap()
        .hash();
    assert!(src.contains(&format!("0x{hash:016x}ull")), "{src}");
}
