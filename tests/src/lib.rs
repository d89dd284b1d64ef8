//! Test support for gitward: starts the real servers a test needs, once per test run.
