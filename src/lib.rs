//! busfit reads what a repository declares it needs and what it deploys, and checks one
//! against the other with a knowledge base of message buses.
//!
//! The modules are the stages of one pipeline, each importing only the ones before it
//! (docs/ARCHITECTURE.md):
//! [`source`] → [`lang`] → [`tree`] → [`kb`] → [`config`] → [`discover`] → [`extract`] →
//! [`project`] → [`lint`] → [`report`] → [`commands`] → [`app`] → [`cli`].

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discover;
pub mod extract;
#[doc(hidden)]
pub mod fuzz;
pub mod kb;
pub mod lang;
pub mod lint;
pub mod project;
pub mod report;
pub mod source;
pub mod tree;
