//! The commands besides `check`: what each prints. They read the knowledge base, or a
//! project and its resolved flows; `app` runs them and `cli` prints what they return.

pub mod buses;
pub mod explain;
pub mod init;
pub mod inventory;
pub mod recommend;
pub mod rules;
pub mod topology;
