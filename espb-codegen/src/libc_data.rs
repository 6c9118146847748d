//! Data objects of the C library that newlib's headers reach directly
//! rather than through a function: `_ctype_` (the classification table
//! behind `isdigit`, `isalpha`, …) and `_impure_ptr` (the reentrancy
//! structure behind `stdin`, `stdout`, `stderr`). A module cannot read the
//! firmware's memory, so the translator defines its own copies, laid out as
//! newlib's 32-bit headers expect; the runtime's stdio functions recognise
//! the three `FILE`s by their `_file` field (0, 1, 2), as newlib does.

/// Size of newlib's `struct _reent` on a 32-bit target, and where its fields are.
const REENT_SIZE: u32 = 1064;
const REENT_STDIN: u32 = 4;
const REENT_STDOUT: u32 = 8;
const REENT_STDERR: u32 = 12;
/// `struct _reent::__sf`: the three standard `FILE`s.
const REENT_SF: u32 = 748;
/// Size of newlib's `FILE`, and the offset of its `short _file`.
const FILE_SIZE: u32 = 104;
const FILE_FD: u32 = 14;

/// Whether the translator defines external variable `name` itself.
pub fn provides(name: &str) -> bool {
    matches!(name, "_ctype_" | "_impure_ptr" | "_global_impure_ptr")
}

/// Bytes and alignment of object `name` placed at linear address `addr`.
/// `_impure_ptr` and `_global_impure_ptr` are pointers to one shared
/// reentrancy structure, `__espb_reent`, whose address is `reent`.
pub fn image(name: &str, addr: u32, reent: u32) -> Option<(Vec<u8>, u32)> {
    match name {
        "_ctype_" => Some((ctype_table(), 1)),
        "_impure_ptr" | "_global_impure_ptr" => Some((reent.to_le_bytes().to_vec(), 4)),
        "__espb_reent" => Some((reent_image(addr), 8)),
        _ => None,
    }
}

/// Bytes of the shared reentrancy structure.
pub fn reent_size() -> u32 {
    REENT_SIZE
}

fn reent_image(addr: u32) -> Vec<u8> {
    let mut b = vec![0u8; REENT_SIZE as usize];
    for (fd, field) in [REENT_STDIN, REENT_STDOUT, REENT_STDERR]
        .into_iter()
        .enumerate()
    {
        let file = REENT_SF + fd as u32 * FILE_SIZE;
        let p = addr + file;
        b[field as usize..field as usize + 4].copy_from_slice(&p.to_le_bytes());
        let at = (file + FILE_FD) as usize;
        b[at..at + 2].copy_from_slice(&(fd as u16).to_le_bytes());
    }
    b
}

/// newlib's "C" locale table: entry 0 is EOF, entry `1 + c` classifies `c`.
fn ctype_table() -> Vec<u8> {
    const U: u8 = 0o1; // upper
    const L: u8 = 0o2; // lower
    const N: u8 = 0o4; // digit
    const S: u8 = 0o10; // space
    const P: u8 = 0o20; // punctuation
    const C: u8 = 0o40; // control
    const X: u8 = 0o100; // hex digit
    const B: u8 = 0o200; // blank
    let mut t = vec![0u8; 257];
    for c in 0u8..128 {
        let ch = c as char;
        t[1 + c as usize] = match c {
            // Not blank: newlib's `isprint` is `_P|_U|_L|_N|_B`, and its
            // `isblank` tests for the tab itself.
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => C | S,
            0..=31 | 127 => C,
            b' ' => S | B,
            _ if ch.is_ascii_digit() => N,
            b'A'..=b'F' => U | X,
            b'a'..=b'f' => L | X,
            _ if ch.is_ascii_uppercase() => U,
            _ if ch.is_ascii_lowercase() => L,
            _ => P,
        };
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctype_matches_the_c_locale() {
        let t = ctype_table();
        let class = |c: u8| t[1 + c as usize];
        assert_eq!(t[0], 0);
        assert_eq!(class(b'0') & 0o4, 0o4);
        assert_eq!(class(b'g'), 0o2);
        assert_eq!(class(b'F'), 0o101);
        assert_eq!(class(b'~'), 0o20);
        assert_eq!(class(b' '), 0o210);
        assert_eq!(class(200), 0);
    }

    #[test]
    fn standard_files_point_into_the_structure() {
        let b = reent_image(0x1000);
        let rd = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        assert_eq!(rd(8), 0x1000 + 748 + 104);
        assert_eq!(
            u16::from_le_bytes([b[748 + 104 * 2 + 14], b[748 + 104 * 2 + 15]]),
            2
        );
    }
}
