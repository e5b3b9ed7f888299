//! Wire types that more than one file of the edge names: the operation table describes
//! them and the handlers read them. A leaf of the edge: it imports the domain's patterns
//! and limits, never a handler, the table or an extractor.

pub mod queries;
