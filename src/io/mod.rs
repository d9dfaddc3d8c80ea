//! Reading corpora and writing the aligned corpus.

pub mod explain;
pub mod input;
mod json;
pub mod output;
pub mod sink;
