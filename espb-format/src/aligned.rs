//! An owned copy of a module's bytes at a 4-byte aligned address.
//!
//! Bytecode runs in place and its word operands are read with aligned loads,
//! so [`parse`](crate::parse) refuses a buffer whose code is misaligned
//! ([`ErrorKind::MisalignedBuffer`](crate::ErrorKind::MisalignedBuffer)). A
//! `Vec<u8>` only promises byte alignment (common allocators happen to give
//! more, Miri deliberately does not): hosts that read a module from a file or
//! a socket copy it into an `AlignedBytes`.

use alloc::vec::Vec;
use core::ops::Deref;

use crate::INSTR_ALIGN;

/// Bytes starting at a multiple of [`INSTR_ALIGN`] in memory.
#[derive(Clone)]
pub struct AlignedBytes {
    // Allocated once with room to slide the start forward to an aligned
    // address, never grown afterwards (growing could move it).
    buf: Vec<u8>,
    start: usize,
}

impl AlignedBytes {
    pub fn new(bytes: &[u8]) -> Self {
        let mut buf: Vec<u8> = Vec::with_capacity(bytes.len() + INSTR_ALIGN - 1);
        let start = buf.as_ptr().align_offset(INSTR_ALIGN).min(INSTR_ALIGN - 1);
        buf.resize(start, 0);
        buf.extend_from_slice(bytes);
        AlignedBytes { buf, start }
    }
}

impl Deref for AlignedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

impl AsRef<[u8]> for AlignedBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<&[u8]> for AlignedBytes {
    fn from(bytes: &[u8]) -> Self {
        AlignedBytes::new(bytes)
    }
}

impl From<Vec<u8>> for AlignedBytes {
    fn from(bytes: Vec<u8>) -> Self {
        if (bytes.as_ptr() as usize).is_multiple_of(INSTR_ALIGN) {
            return AlignedBytes {
                buf: bytes,
                start: 0,
            };
        }
        AlignedBytes::new(&bytes)
    }
}

impl core::fmt::Debug for AlignedBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AlignedBytes")
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offset_of_a_source_lands_aligned() {
        let src: Vec<u8> = (0..64u8).collect();
        for at in 0..8 {
            let a = AlignedBytes::new(&src[at..at + 40]);
            assert_eq!(a.as_ptr() as usize % INSTR_ALIGN, 0);
            assert_eq!(&a[..], &src[at..at + 40]);
            let b = AlignedBytes::from(src[at..at + 40].to_vec());
            assert_eq!(b.as_ptr() as usize % INSTR_ALIGN, 0);
            assert_eq!(&b[..], &src[at..at + 40]);
        }
        assert!(AlignedBytes::new(&[]).is_empty());
    }
}
