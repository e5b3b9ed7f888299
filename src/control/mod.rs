//! What tests and operators control and observe beyond the CSMS API: the request journal,
//! fault rules and metrics. Plain data structures; the API layer records into them and
//! serves them under `/_emulator/`.

pub mod faults;
pub mod journal;
pub mod metrics;
