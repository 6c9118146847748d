//! espb-codegen
