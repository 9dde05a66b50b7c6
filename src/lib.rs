//! busfit reads what a repository declares it needs and what it deploys, and checks one
//! against the other with a knowledge base of message buses.
//!
//! The modules are the stages of one pipeline, each importing only the ones before it
//! (docs/ARCHITECTURE.md). The walk (`discover`) runs before extraction but asks extraction's
//! table of file kinds, so it sits above it:
//! [`source`] → [`lang`] → [`tree`] → [`kb`] → [`config`] → [`extract`] → [`discover`] →
//! [`project`] → [`situation`] → [`lint`] → [`report`] → [`commands`] → [`app`] → [`cli`].

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discover;
/// What build.rs embeds: every file of rules/ (`RULE_FILES`, by path relative to the crate, in
/// path order) and the knowledge base it compiled from them (`KNOWLEDGE`, postcard bytes).
#[doc(hidden)]
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}
pub mod extract;
#[doc(hidden)]
pub mod fuzz;
pub mod kb;
pub mod lang;
pub mod lint;
pub mod project;
pub mod report;
pub mod situation;
pub mod source;
pub mod tree;
