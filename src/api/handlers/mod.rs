//! The handlers, one file per resource: each extracts its request, calls one service
//! method and maps the answer to its wire type. They hold no business rules; the bodies
//! and answers they name live in [`crate::api::wire`].

pub mod checker;
pub mod console;
pub mod control;
pub mod events;
pub mod functions;
pub mod grants;
pub mod iam;
pub mod lifecycle;
pub mod password;
pub mod secrets;
pub mod smn;
pub mod tags;
pub mod tasks;
pub mod users;
pub mod versions;
