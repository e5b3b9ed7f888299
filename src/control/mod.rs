//! What tests and operators control and observe beyond the CSMS API: the request journal,
//! fault rules, metrics and how much the log says about requests. Plain data structures; the API layer records into them and
//! serves them under `/_emulator/`.

pub mod faults;
pub mod journal;
pub mod metrics;
pub mod request_log;
