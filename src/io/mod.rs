//! Reading corpora and writing the aligned corpus.

pub mod explain;
pub mod input;
pub mod output;
pub mod sink;
