//! Resource model.
