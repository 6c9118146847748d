//! Shared by the fuzz targets: the builder of valid modules driven by the
//! fuzzer's bytes. It lives with the runtime's tests, whose `random_exec`
//! runs it on stable in CI.

#[path = "../../espb-runtime/tests/gen/mod.rs"]
pub mod gen;
