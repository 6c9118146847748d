//! `esp_log.h` and `esp_rom_sys.h`: ESP_LOGx output exactly as ESP-IDF
//! prints it (the macros build the "I (ms) tag: " prefix in the format
//! string; the runtime formats and filters by level).

use crate::builtins::format;
use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{a32, ret, Imp, RegArgs, VaArgs, R};
use super::kernel::Kernel;

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("esp_log_write", "(i32, ptr, ptr, ...)", log_write),
    ("esp_log_writev", "(i32, ptr, ptr, ptr)", log_writev),
    ("esp_log", "(i32, ptr, ptr, ...)", log_v2),
    ("esp_log_timestamp", "() -> i32", timestamp),
    ("esp_log_early_timestamp", "() -> i32", early_timestamp),
    ("esp_log_level_set", "(ptr, i32)", level_set),
    ("esp_log_level_get", "(ptr) -> i32", level_get),
    ("esp_rom_printf", "(ptr, ...) -> i32", rom_printf),
    ("esp_rom_delay_us", "(i32)", rom_delay_us),
    // The older ROM names ESP-IDF code still uses.
    ("ets_printf", "(ptr, ...) -> i32", rom_printf),
    ("ets_delay_us", "(i32)", rom_delay_us),
];

/// `CONFIG_LOG_DEFAULT_LEVEL` (INFO).
const DEFAULT_LEVEL: u32 = 3;
/// Longest tag read.
const MAX_TAG: u32 = 256;

fn enabled(k: &Kernel, c: &Caller<'_>, level: u32, tag: u32) -> Result<bool, Trap> {
    let tag = if tag == 0 {
        Vec::new()
    } else {
        c.read_cstr(tag, MAX_TAG)?
    };
    let g = k.lock();
    let levels = &g.ext.log_levels;
    let max = levels
        .get(&tag)
        .or_else(|| levels.get(&b"*"[..]))
        .copied()
        .unwrap_or(DEFAULT_LEVEL);
    Ok(level <= max)
}

fn log_write(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    if enabled(k, c, a32(a, 0), a32(a, 1))? {
        let text = format(c, a32(a, 2), &mut RegArgs { args: a, next: 3 })?;
        c.output(&text);
    }
    Ok(None)
}

fn log_writev(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    if enabled(k, c, a32(a, 0), a32(a, 1))? {
        let text = format(c, a32(a, 2), &mut VaArgs { ptr: a32(a, 3) })?;
        c.output(&text);
    }
    Ok(None)
}

/// `esp_log_config_t` bits above the 3-bit level (ESP-IDF v6's
/// `esp_log_config.h`).
const REQUIRE_FORMATTING: u32 = 1 << 4;
const DIS_COLOR: u32 = 1 << 5;
const DIS_TIMESTAMP: u32 = 1 << 6;

/// ESP-IDF v6 `esp_log(config, tag, fmt, ...)`: the level is the low 3 bits
/// of the config word. Log V1's `ESP_LOGx` passes the level alone, the
/// "L (ms) tag: " prefix being in the format already; Log V2's sets
/// `require_formatting` and `esp_log` adds the prefix (colour, timestamp,
/// tag) and the newline itself, as ESP-IDF's `esp_log_format` does.
fn log_v2(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    let config = a32(a, 0);
    let level = config & 7;
    if !enabled(k, c, level, a32(a, 1))? {
        return Ok(None);
    }
    let body = format(c, a32(a, 2), &mut RegArgs { args: a, next: 3 })?;
    if config & REQUIRE_FORMATTING == 0 {
        c.output(&body);
        return Ok(None);
    }
    let letter = ["", "E", "W", "I", "D", "V"]
        .get(level as usize)
        .copied()
        .unwrap_or("");
    let color = match level {
        1 => "\x1b[0;31m",
        2 => "\x1b[0;33m",
        3 => "\x1b[0;32m",
        _ => "",
    };
    let color = if config & DIS_COLOR != 0 { "" } else { color };
    let mut text = Vec::with_capacity(body.len() + 32);
    text.extend_from_slice(color.as_bytes());
    text.extend_from_slice(letter.as_bytes());
    text.push(b' ');
    if config & DIS_TIMESTAMP == 0 {
        text.extend_from_slice(format!("({}) ", log_ms(k)?).as_bytes());
    }
    let tag = a32(a, 1);
    if tag != 0 {
        text.extend_from_slice(&c.read_cstr(tag, MAX_TAG)?);
        text.extend_from_slice(b": ");
    }
    text.extend_from_slice(&body);
    if !color.is_empty() {
        text.extend_from_slice(b"\x1b[0m");
    }
    text.push(b'\n');
    c.output(&text);
    Ok(None)
}

/// Milliseconds from the RTOS tick (CONFIG_LOG_TIMESTAMP_SOURCE_RTOS).
fn log_ms(k: &Kernel) -> Result<u32, Trap> {
    let (g, _) = k.enter_any()?;
    Ok(k.log_timestamp(&g))
}

fn timestamp(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    ret(log_ms(k)?)
}

fn early_timestamp(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, _) = k.enter_any()?;
    ret((k.now(&g) / 1000) as u32)
}

fn level_set(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let tag = c.read_cstr(a32(a, 0), MAX_TAG)?;
    let (mut g, _) = k.enter_any()?;
    let level = a32(a, 1).min(5);
    if tag == b"*" {
        // ESP-IDF: setting the default resets every tag to it.
        g.ext.log_levels.clear();
    }
    g.ext.log_levels.insert(tag, level);
    Ok(None)
}

fn level_get(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let tag = c.read_cstr(a32(a, 0), MAX_TAG)?;
    let (g, _) = k.enter_any()?;
    let levels = &g.ext.log_levels;
    ret(levels
        .get(&tag)
        .or_else(|| levels.get(&b"*"[..]))
        .copied()
        .unwrap_or(DEFAULT_LEVEL))
}

fn rom_printf(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    let text = format(c, a32(a, 0), &mut RegArgs { args: a, next: 1 })?;
    c.output(&text);
    ret(text.len() as u32)
}

fn rom_delay_us(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (g, me) = k.enter()?;
    drop(k.busy_wait(g, me, a32(a, 0) as u64)?);
    Ok(None)
}
