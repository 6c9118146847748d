//! NVS backed by a file: values written and committed in one run are read
//! back by the next; a corrupted file behaves like a corrupted partition.
#![cfg(feature = "host")]

mod host_util;

use espb_runtime::host::HostConfig;
use host_util::*;

#[test]
fn nvs_round_trip_across_runs() {
    for opt in OPTS {
        let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("nvs{opt}-{}.txt", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let cfg = || HostConfig {
            nvs_file: Some(file.clone()),
            ..virt()
        };
        let (first, r) = run_script("nvs", opt, cfg());
        r.unwrap_or_else(|e| panic!("{opt}: {e}\n{first}"));
        assert_eq!(
            first,
            "ro open: ESP_ERR_NVS_NOT_FOUND\nboots=0 (ESP_ERR_NVS_NOT_FOUND)\nas u8: ESP_ERR_NVS_NOT_FOUND\n\
long key: ESP_ERR_NVS_KEY_TOO_LONG\nclosed: ESP_ERR_NVS_INVALID_HANDLE\n",
            "{opt}"
        );
        let (second, r) = run_script("nvs", opt, cfg());
        r.unwrap();
        assert_eq!(
            second,
            "ro open: ESP_OK\nboots=1 (ESP_OK)\nas u8: ESP_ERR_NVS_NOT_FOUND\nshort buffer: ESP_ERR_NVS_INVALID_LENGTH\n\
name=espb-device len=12 blob=3:010203\nlong key: ESP_ERR_NVS_KEY_TOO_LONG\nclosed: ESP_ERR_NVS_INVALID_HANDLE\n",
            "{opt}"
        );
        let (third, _) = run_script("nvs", opt, cfg());
        assert!(third.contains("boots=2 (ESP_OK)"), "{third}");
        // Without a file nothing persists.
        let (mem, _) = run_script("nvs", opt, virt());
        assert_eq!(mem, first);
        std::fs::write(&file, "not an nvs file\n").unwrap();
        let (corrupt, r) = run_script("nvs", opt, cfg());
        r.unwrap();
        assert!(
            corrupt.starts_with("corrupt, erasing\nro open: ESP_ERR_NVS_NOT_FOUND\nboots=0"),
            "{corrupt}"
        );
        let _ = std::fs::remove_file(&file);
    }
}
