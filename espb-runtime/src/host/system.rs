//! `esp_err.h`, `esp_system.h`, `esp_chip_info.h`, `esp_random`: errors,
//! restart, heap figures and the simulated chip (an ESP32-C3).

use crate::imports::Caller;
use crate::trap::{Trap, TrapKind};

use super::api::{a32, module_string, ret, Imp, R};
use super::kernel::{unwind, EndReason, Kernel};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("esp_err_to_name", "(i32) -> ptr", err_to_name),
    (
        "_esp_error_check_failed",
        "(i32, ptr, i32, ptr, ptr)",
        error_check_failed,
    ),
    ("esp_restart", "()", restart),
    ("esp_reset_reason", "() -> i32", reset_reason),
    ("esp_get_free_heap_size", "() -> i32", free_heap),
    ("esp_get_free_internal_heap_size", "() -> i32", free_heap),
    ("esp_get_minimum_free_heap_size", "() -> i32", min_free_heap),
    ("esp_chip_info", "(ptr)", chip_info),
    ("esp_random", "() -> i32", random),
];

/// `esp_err_to_name` for the codes `esp_err.h` defines.
pub fn err_name(code: i32) -> &'static str {
    match code {
        0 => "ESP_OK",
        -1 => "ESP_FAIL",
        0x101 => "ESP_ERR_NO_MEM",
        0x102 => "ESP_ERR_INVALID_ARG",
        0x103 => "ESP_ERR_INVALID_STATE",
        0x104 => "ESP_ERR_INVALID_SIZE",
        0x105 => "ESP_ERR_NOT_FOUND",
        0x106 => "ESP_ERR_NOT_SUPPORTED",
        0x107 => "ESP_ERR_TIMEOUT",
        0x108 => "ESP_ERR_INVALID_RESPONSE",
        0x109 => "ESP_ERR_INVALID_CRC",
        0x10A => "ESP_ERR_INVALID_VERSION",
        0x10B => "ESP_ERR_INVALID_MAC",
        0x10C => "ESP_ERR_NOT_FINISHED",
        0x10D => "ESP_ERR_NOT_ALLOWED",
        c => super::nvs::err_name(c).unwrap_or("UNKNOWN ERROR"),
    }
}

fn err_to_name(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    ret(module_string(k, c, err_name(a32(a, 0) as i32).as_bytes())?)
}

/// Prints ESP-IDF's `ESP_ERROR_CHECK` message, then aborts the module.
fn error_check_failed(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    let rc = a32(a, 0) as i32;
    let s = |p: u32| -> Result<String, Trap> {
        Ok(if p == 0 {
            String::new()
        } else {
            String::from_utf8_lossy(&c.read_cstr(p, 4096)?).into_owned()
        })
    };
    let (file, line, func, expr) = (
        s(a32(a, 1))?,
        a32(a, 2) as i32,
        s(a32(a, 3))?,
        s(a32(a, 4))?,
    );
    let msg = format!(
        "ESP_ERROR_CHECK failed: esp_err_t 0x{:x} ({})\nfile: \"{file}\" line {line}\nfunc: {func}\nexpression: {expr}\n",
        rc,
        err_name(rc)
    );
    c.output(msg.as_bytes());
    Err(Trap::new(TrapKind::Abort(format!(
        "ESP_ERROR_CHECK failed: esp_err_t 0x{rc:x} ({}) at {file}:{line}",
        err_name(rc)
    ))))
}

fn restart(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    // (From a native thread too: esp_restart works from an interrupt.)
    k.end(&mut g, EndReason::Restart);
    Err(unwind())
}

/// The simulated chip always comes out of a power-on reset.
fn reset_reason(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    drop(k.enter_any()?);
    ret(1)
}

fn free_heap(k: &Kernel, c: &mut Caller<'_>, _a: &[u64]) -> R {
    drop(k.enter_any()?);
    ret(c.inner().heap.lock().free_bytes())
}

fn min_free_heap(k: &Kernel, c: &mut Caller<'_>, _a: &[u64]) -> R {
    drop(k.enter_any()?);
    ret(c.inner().heap.lock().min_free_bytes())
}

/// An ESP32-C3 (model 5), revision v0.4, one core, Wi-Fi b/g/n and BLE.
fn chip_info(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    let p = a32(a, 0);
    let mut b = [0u8; 12];
    b[0..4].copy_from_slice(&5u32.to_le_bytes());
    b[4..8].copy_from_slice(&((1u32 << 1) | (1 << 4)).to_le_bytes());
    b[8..10].copy_from_slice(&4u16.to_le_bytes());
    b[10] = 1;
    c.write(p, &b)?;
    Ok(None)
}

/// xorshift64*: deterministic per run (seeded by `HostConfig::seed`), so
/// virtual-time runs stay reproducible.
fn random(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let mut x = g.ext.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g.ext.rng = x;
    ret((x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32)
}
