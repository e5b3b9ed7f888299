//! The edge's request and response types, one file per resource: the operation table
//! describes the bodies and the handlers read them, and each body's parse turns it into a
//! validated service command. A leaf of the edge: it imports the domain and the service's
//! command and answer types, never a handler, the table or an extractor.

pub mod checker;
pub mod console;
pub mod control;
pub mod events;
pub mod functions;
pub mod grants;
pub mod iam;
pub mod input;
pub mod json_text;
pub mod page;
pub mod password;
pub mod queries;
pub mod secrets;
pub mod smn;
pub mod tags;
pub mod tasks;
pub mod users;
pub mod versions;
