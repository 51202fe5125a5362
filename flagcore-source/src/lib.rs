//! # flagcore-source: config delivery for flagcore
//!
//! A [`flagcore::Store`] serves whatever config it was last given; this crate gives it
//! new ones as they are published, so a change (a kill switch in an incident) reaches
//! every process in seconds, and a bad config reaches none of them. The core stays pure:
//! all I/O lives here.
//!
//! - [`FileSource`] watches a file (a ConfigMap volume, a file your deploy tool writes).
//! - [`HttpSource`] polls a URL with conditional requests: any static server, object store
//!   or CDN that sends `ETag` (or `Last-Modified`) serves configs.
//!
//! Each runs on its own thread and reports [`Event`]s and a [`Status`].
//!
//! ## Guarantees
//!
//! - **What serves when.** Before the first good config, nothing (unless the source was
//!   attached to a store with [`HttpSource::start_with`], or an on-disk copy of the last good
//!   config exists: then that, at once). Afterwards, always the last config that
//!   validated. Every update is atomic: an evaluation sees the old config or the new one.
//! - **Refusals.** A config that does not validate is not loaded; [`Event::Refused`] lists
//!   every problem with its JSON path, [`Status::refused`] keeps them until a good config
//!   arrives, and the last good config keeps serving. The same bad config is reported once.
//! - **Failures.** A server that is down, slow (timeout) or answers an error changes
//!   nothing that serves. Retries back off exponentially; after `stale_after` the source
//!   reports [`Event::Stale`] (and [`Event::Recovered`] when it answers again).
//! - **Order.** One thread per source applies configs in the order it fetches them, so
//!   revisions only move forward.
//! - **Shutdown.** [`Source::close`] (or dropping the [`Source`]) stops the thread and
//!   joins it; a request in flight ends within its timeout.
//!
//! ## Example
//!
//! ```no_run
//! use std::time::Duration;
//! use flagcore::Context;
//! use flagcore_source::HttpSource;
//!
//! let source = HttpSource::new("https://flags.example.com/prod.json")
//!     .interval(Duration::from_secs(15))
//!     .cache_file("/var/cache/voice/flags.json")
//!     .on_event(|e| eprintln!("flags: {}", e.to_json()))
//!     .start()?;
//! let store = source.wait_ready(Duration::from_secs(5))?;
//! let on = store.is_enabled("speechmatics-direct", &Context::new("user-42"));
//! # Ok::<(), flagcore_source::SourceError>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cache;
mod diff;
mod event;
mod file;
mod http;
mod shared;

pub use event::{Event, Origin, Status};
pub use file::FileSource;
pub use http::HttpSource;
pub use shared::{Source, EVENT_QUEUE};

/// Why a source could not start, or is not ready.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The URL is not an `http://` or `https://` URL. Fix the URL.
    #[error("not an http(s) URL: {0}")]
    InvalidUrl(String),
    /// The file's directory cannot be watched (it does not exist, or the system's watch
    /// limit is reached: raise `fs.inotify.max_user_watches`).
    #[error("cannot watch: {0}")]
    Watch(String),
    /// The system would not start a thread.
    #[error("cannot start the source thread: {0}")]
    Thread(std::io::Error),
    /// No config serves yet: the source has not answered, failed, or sent a config that
    /// was refused (the message says which). Wait longer or fix the source.
    #[error("no config serves yet: {0}")]
    NotReady(String),
}
