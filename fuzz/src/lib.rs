//! Shared by the fuzz targets: a builder of valid modules driven by the
//! fuzzer's bytes.

pub mod gen;
