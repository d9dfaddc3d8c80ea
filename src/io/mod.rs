//! Reading corpora and writing the aligned corpus.

pub mod input;
pub mod output;
pub mod sink;
