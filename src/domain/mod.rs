//! The CSMS domain: validated names, limits, values, rotation settings and the secret
//! aggregate with its version/stage state machine. Knows nothing of HTTP or storage.

pub mod event;
pub mod grant;
pub mod limits;
pub mod names;
pub mod page;
pub mod password;
pub mod rotation;
pub mod secret;
pub mod tag;
pub mod task;
pub mod value;
