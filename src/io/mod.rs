//! Reading corpora and writing the aligned corpus.

mod direct;
pub mod explain;
pub mod input;
pub mod output;
pub mod sink;
