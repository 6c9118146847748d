//! `esp_flash.h`, `esp_cpu.h` and the ROM's CPU clock on the PC: a
//! simulated 4 MiB NOR flash chip (the default chip; `NULL` names it, as in
//! ESP-IDF) and a CPU cycle counter driven by the run's clock.
//!
//! The flash behaves like the real part: it reads 0xFF where erased, a
//! write can only clear bits (ANDs into what is there), and erasing works
//! on whole 4 KiB sectors. Out-of-range or misaligned requests return the
//! ESP-IDF error codes a chip's driver returns.

use crate::imports::Caller;

use super::api::{a32, ret, Imp, R};
use super::kernel::Kernel;

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("esp_flash_read", "(ptr, ptr, i32, i32) -> i32", read),
    ("esp_flash_write", "(ptr, ptr, i32, i32) -> i32", write),
    (
        "esp_flash_erase_region",
        "(ptr, i32, i32) -> i32",
        erase_region,
    ),
    ("esp_flash_erase_chip", "(ptr) -> i32", erase_chip),
    ("esp_flash_get_size", "(ptr, ptr) -> i32", get_size),
    ("esp_flash_get_physical_size", "(ptr, ptr) -> i32", get_size),
    ("esp_flash_read_id", "(ptr, ptr) -> i32", read_id),
    ("esp_cpu_get_cycle_count", "() -> i32", cycle_count),
    ("esp_rom_get_cpu_ticks_per_us", "() -> i32", ticks_per_us),
];

/// Size of the simulated chip.
pub(crate) const FLASH_SIZE: u32 = 4 << 20;
const SECTOR: u32 = 4096;
/// JEDEC ID reported (a GigaDevice GD25Q32, as on many ESP32-C3 boards).
const FLASH_ID: u32 = 0xC8_4016;
/// CPU clock of the simulated ESP32-C3 (CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ).
const CPU_MHZ: u64 = 160;

const ESP_OK: u32 = 0;
const ESP_ERR_INVALID_ARG: u32 = 0x102;
const ESP_ERR_INVALID_SIZE: u32 = 0x104;

/// The chip argument: only the default chip (`NULL`) exists.
fn chip_ok(c: &Caller<'_>, chip: u32) -> bool {
    let _ = c;
    chip == 0
}

/// The flash contents, created erased on first use.
fn with_flash<T>(k: &Kernel, f: impl FnOnce(&mut Vec<u8>) -> T) -> Result<T, crate::trap::Trap> {
    let (mut g, _) = k.enter()?;
    let flash = g
        .ext
        .flash
        .get_or_insert_with(|| vec![0xff; FLASH_SIZE as usize]);
    Ok(f(flash))
}

fn range(addr: u32, len: u32) -> Option<core::ops::Range<usize>> {
    let end = addr.checked_add(len)?;
    (end <= FLASH_SIZE).then_some(addr as usize..end as usize)
}

fn read(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (chip, buf, addr, len) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3));
    if !chip_ok(c, chip) || (buf == 0 && len > 0) {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let Some(r) = range(addr, len) else {
        return ret(ESP_ERR_INVALID_SIZE);
    };
    let bytes = with_flash(k, |f| f[r].to_vec())?;
    c.write(buf, &bytes)?;
    ret(ESP_OK)
}

fn write(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (chip, buf, addr, len) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3));
    if !chip_ok(c, chip) || (buf == 0 && len > 0) {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let Some(r) = range(addr, len) else {
        return ret(ESP_ERR_INVALID_SIZE);
    };
    let mut bytes = vec![0u8; len as usize];
    c.read(buf, &mut bytes)?;
    with_flash(k, |f| {
        // NOR flash: programming only turns 1 bits into 0.
        for (d, s) in f[r].iter_mut().zip(bytes) {
            *d &= s;
        }
    })?;
    ret(ESP_OK)
}

fn erase_region(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (chip, start, len) = (a32(a, 0), a32(a, 1), a32(a, 2));
    if !chip_ok(c, chip) || start % SECTOR != 0 || len % SECTOR != 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let Some(r) = range(start, len) else {
        return ret(ESP_ERR_INVALID_SIZE);
    };
    with_flash(k, |f| f[r].fill(0xff))?;
    ret(ESP_OK)
}

fn erase_chip(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    if !chip_ok(c, a32(a, 0)) {
        return ret(ESP_ERR_INVALID_ARG);
    }
    with_flash(k, |f| f.fill(0xff))?;
    ret(ESP_OK)
}

fn get_size(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter()?);
    let (chip, out) = (a32(a, 0), a32(a, 1));
    if !chip_ok(c, chip) || out == 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    c.write_u32(out, FLASH_SIZE)?;
    ret(ESP_OK)
}

fn read_id(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter()?);
    let (chip, out) = (a32(a, 0), a32(a, 1));
    if !chip_ok(c, chip) || out == 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    c.write_u32(out, FLASH_ID)?;
    ret(ESP_OK)
}

/// CPU cycles since the run started, at 160 MHz, wrapping at 32 bits like
/// the real counter (virtual time: the simulated clock).
fn cycle_count(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, _) = k.enter()?;
    ret((k.now(&g).wrapping_mul(CPU_MHZ)) as u32)
}

fn ticks_per_us(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    drop(k.enter()?);
    ret(CPU_MHZ as u32)
}
