//! One integration-test binary: the real `transnorm` binary on samples/, golden files, bad
//! input, and property tests of the alignment invariant.

mod artifacts;
mod cli;
mod flores;
mod glossary_cli;
mod golden;
mod hygiene;
mod invariant;
mod names;
mod properties;
mod shards;
mod util;
