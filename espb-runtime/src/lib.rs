//! espb-runtime
