//! Go's number printing (placeholder).
