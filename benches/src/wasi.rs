//! The five `wasi_snapshot_preview1` functions a wasi-libc command module
//! needs for `printf` and `exit`, implemented over a linear-memory slice for
//! the Rust-embedded peers (wasmi, WAMR). Output is captured, not printed.
//! (wasm3 has the same functions in C, `support/wasm3_glue.c`.)

/// Bytes kept of a program's output; the benchmarks print one line.
pub const OUTPUT_CAP: usize = 4096;

pub const ERRNO_SUCCESS: i32 = 0;
pub const ERRNO_BADF: i32 = 8;

/// A memory access outside the linear memory: the caller turns it into a
/// trap.
#[derive(Debug)]
pub struct OutOfBounds;

fn range(mem: &[u8], at: u32, len: u32) -> Result<std::ops::Range<usize>, OutOfBounds> {
    let start = at as usize;
    let end = start.checked_add(len as usize).ok_or(OutOfBounds)?;
    if end > mem.len() {
        return Err(OutOfBounds);
    }
    Ok(start..end)
}

fn read_u32(mem: &[u8], at: u32) -> Result<u32, OutOfBounds> {
    let r = range(mem, at, 4)?;
    let mut b = [0u8; 4];
    b.copy_from_slice(&mem[r]);
    Ok(u32::from_le_bytes(b))
}

/// `fd_write(fd, iovs, iovs_len, nwritten) -> errno`
pub fn fd_write(
    mem: &mut [u8],
    out: &mut Vec<u8>,
    fd: i32,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
) -> Result<i32, OutOfBounds> {
    if fd != 1 && fd != 2 {
        return Ok(ERRNO_BADF);
    }
    let mut total: u32 = 0;
    for i in 0..iovs_len {
        let entry = iovs
            .checked_add(i.checked_mul(8).ok_or(OutOfBounds)?)
            .ok_or(OutOfBounds)?;
        let base = read_u32(mem, entry)?;
        let len = read_u32(mem, entry.checked_add(4).ok_or(OutOfBounds)?)?;
        let r = range(mem, base, len)?;
        let room = OUTPUT_CAP.saturating_sub(out.len());
        let data = &mem[r];
        out.extend_from_slice(&data[..data.len().min(room)]);
        total = total.wrapping_add(len);
    }
    let r = range(mem, nwritten, 4)?;
    mem[r].copy_from_slice(&total.to_le_bytes());
    Ok(ERRNO_SUCCESS)
}

/// `fd_fdstat_get(fd, stat) -> errno`: stdin/stdout/stderr are character
/// devices (wasi-libc asks before deciding how to buffer stdout).
pub fn fd_fdstat_get(mem: &mut [u8], fd: i32, stat: u32) -> Result<i32, OutOfBounds> {
    if !(0..=2).contains(&fd) {
        return Ok(ERRNO_BADF);
    }
    let r = range(mem, stat, 24)?;
    let s = &mut mem[r];
    s.fill(0);
    s[0] = 2; // __WASI_FILETYPE_CHARACTER_DEVICE
    Ok(ERRNO_SUCCESS)
}

/// `fd_seek`: not seekable.
pub fn fd_seek() -> i32 {
    ERRNO_BADF
}

/// `fd_close`: nothing to close.
pub fn fd_close() -> i32 {
    ERRNO_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_write_gathers_iovecs_and_reports_the_count() {
        let mut mem = vec![0u8; 64];
        mem[32..35].copy_from_slice(b"abc");
        mem[40..42].copy_from_slice(b"de");
        // two iovecs at 0: (32, 3), (40, 2)
        for (i, v) in [32u32, 3, 40, 2].iter().enumerate() {
            mem[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        let mut out = Vec::new();
        assert_eq!(fd_write(&mut mem, &mut out, 1, 0, 2, 16).unwrap(), 0);
        assert_eq!(out, b"abcde");
        assert_eq!(read_u32(&mem, 16).unwrap(), 5);
        assert_eq!(
            fd_write(&mut mem, &mut out, 7, 0, 2, 16).unwrap(),
            ERRNO_BADF
        );
    }

    #[test]
    fn fd_write_rejects_out_of_bounds() {
        let mut mem = vec![0u8; 16];
        mem[0..4].copy_from_slice(&10u32.to_le_bytes());
        mem[4..8].copy_from_slice(&100u32.to_le_bytes());
        let mut out = Vec::new();
        assert!(fd_write(&mut mem, &mut out, 1, 0, 1, 8).is_err());
        assert!(fd_write(&mut mem, &mut out, 1, u32::MAX - 3, 1, 8).is_err());
        assert!(fd_fdstat_get(&mut mem, 1, 10).is_err());
    }
}
