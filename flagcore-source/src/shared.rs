//! What a source's thread and its handle share: the store, the status, the event queue,
//! and the stop and refresh signals. Also [`Runner`], which turns a fetched text into a
//! store update and events, the same way for every kind of source.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use flagcore::{ConfigError, Store, StoreOptions};

use crate::event::{Event, Origin, Status};
use crate::{cache, diff, SourceError};

/// How many unread events a source keeps (the oldest are dropped first).
pub const EVENT_QUEUE: usize = 1024;

/// A callback that sees every event, on the source's thread.
pub type OnEvent = Arc<dyn Fn(&Event) + Send + Sync>;

#[derive(Debug, Default)]
struct State {
    status: Status,
    events: VecDeque<Event>,
    stop: bool,
    refresh: bool,
}

/// Why a source's thread woke up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wake {
    Stop,
    Refresh,
    Timeout,
}

pub(crate) struct Shared {
    store: OnceLock<Arc<Store>>,
    state: Mutex<State>,
    /// Signals the source thread (stop, refresh).
    signal: Condvar,
    /// Signals readers (a new event, ready).
    news: Condvar,
    on_event: Option<OnEvent>,
    /// Extra ways to wake the source thread (the file source's channel).
    waker: Mutex<Option<Box<dyn Fn() + Send>>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("store", &self.store.get().map(|s| s.revision()))
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(store: Option<Arc<Store>>, on_event: Option<OnEvent>) -> Shared {
        let cell = OnceLock::new();
        let mut status = Status::default();
        if let Some(store) = store {
            status.ready = true;
            status.revision = Some(store.revision());
            status.origin = Some(Origin::Store);
            let _ = cell.set(store);
        }
        Shared {
            store: cell,
            state: Mutex::new(State {
                status,
                ..State::default()
            }),
            signal: Condvar::new(),
            news: Condvar::new(),
            on_event,
            waker: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves State consistent; a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn store(&self) -> Option<&Arc<Store>> {
        self.store.get()
    }

    pub(crate) fn set_waker(&self, waker: Box<dyn Fn() + Send>) {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(waker);
    }

    fn wake_thread(&self) {
        self.signal.notify_all();
        if let Some(w) = self
            .waker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            w();
        }
    }

    pub(crate) fn status(&self) -> Status {
        self.lock().status.clone()
    }

    pub(crate) fn update_status(&self, f: impl FnOnce(&mut Status)) {
        f(&mut self.lock().status);
    }

    /// Records the event, then calls the callback (outside the lock).
    pub(crate) fn emit(&self, event: Event, f: impl FnOnce(&mut Status)) {
        {
            let mut state = self.lock();
            f(&mut state.status);
            if state.events.len() >= EVENT_QUEUE {
                state.events.pop_front();
                state.status.dropped_events += 1;
            }
            state.events.push_back(event.clone());
        }
        self.news.notify_all();
        if let Some(cb) = &self.on_event {
            cb(&event);
        }
    }

    pub(crate) fn stopped(&self) -> bool {
        self.lock().stop
    }

    pub(crate) fn stop(&self) {
        self.lock().stop = true;
        self.wake_thread();
        self.news.notify_all();
    }

    pub(crate) fn refresh(&self) {
        self.lock().refresh = true;
        self.wake_thread();
    }

    /// Sleeps until `deadline`, a stop or a refresh (the source thread).
    pub(crate) fn sleep_until(&self, deadline: Instant) -> Wake {
        let mut state = self.lock();
        loop {
            if state.stop {
                return Wake::Stop;
            }
            if state.refresh {
                state.refresh = false;
                return Wake::Refresh;
            }
            let now = Instant::now();
            if now >= deadline {
                return Wake::Timeout;
            }
            state = match self.signal.wait_timeout(state, deadline - now) {
                Ok((s, _)) => s,
                Err(e) => e.into_inner().0,
            };
        }
    }

    /// Takes a pending refresh request (the file source, which waits on its channel).
    pub(crate) fn take_refresh(&self) -> bool {
        std::mem::take(&mut self.lock().refresh)
    }

    pub(crate) fn next_event(&self, timeout: Duration) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(e) = state.events.pop_front() {
                return Some(e);
            }
            let now = Instant::now();
            if state.stop || now >= deadline {
                return None;
            }
            state = match self.news.wait_timeout(state, deadline - now) {
                Ok((s, _)) => s,
                Err(e) => e.into_inner().0,
            };
        }
    }

    pub(crate) fn wait_ready(&self, timeout: Duration) -> Option<Arc<Store>> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(store) = self.store.get() {
                return Some(Arc::clone(store));
            }
            let now = Instant::now();
            if state.stop || now >= deadline {
                return None;
            }
            state = match self.news.wait_timeout(state, deadline - now) {
                Ok((s, _)) => s,
                Err(e) => e.into_inner().0,
            };
        }
    }
}

/// What every source does with what it fetched: validate, swap in, report, keep a copy.
/// Owned by the source's thread.
#[derive(Debug)]
pub(crate) struct Runner {
    pub(crate) shared: Arc<Shared>,
    options: StoreOptions,
    cache: Option<PathBuf>,
    stale_after: Duration,
    /// The text serving now (what changed is computed against it; the same text again
    /// changes nothing).
    last_text: Option<String>,
    /// The last text refused (reported once).
    last_refused: Option<String>,
    /// When failures began (none while the source answers).
    failing_since: Option<Instant>,
    started: Instant,
    delivered: bool,
}

impl Runner {
    pub(crate) fn new(shared: Arc<Shared>, common: &Common) -> Runner {
        Runner {
            shared,
            options: common.store_options,
            cache: common.cache.clone(),
            stale_after: common.stale_after,
            last_text: None,
            last_refused: None,
            failing_since: None,
            started: Instant::now(),
            delivered: false,
        }
    }

    /// Loads the on-disk copy, if there is one and no config serves yet.
    pub(crate) fn load_cache(&mut self) {
        let Some(path) = self.cache.clone() else {
            return;
        };
        if self.shared.store().is_some() {
            return;
        }
        match cache::read_bounded(&path, self.options.limits.max_bytes) {
            Ok(Some(text)) => match Store::from_json_with_options(&text, self.options) {
                Ok(store) => self.install(store, text, Origin::Cache),
                Err(e) => self.shared.update_status(|s| {
                    s.cache_error = Some(format!("{}: ignored: {e}", path.display()))
                }),
            },
            Ok(None) => {}
            Err(e) => self
                .shared
                .update_status(|s| s.cache_error = Some(format!("{}: {e}", path.display()))),
        }
    }

    fn install(&mut self, store: Store, text: String, origin: Origin) {
        let revision = store.revision();
        let _ = self.shared.store.set(Arc::new(store));
        self.last_text = Some(text);
        self.shared.emit(Event::Ready { revision, origin }, |s| {
            s.ready = true;
            s.revision = Some(revision);
            s.origin = Some(origin);
        });
    }

    /// The source answered with `text`: load it unless it is what serves already.
    pub(crate) fn apply(&mut self, text: String) {
        self.succeeded();
        if self.last_text.as_deref() == Some(text.as_str()) {
            self.delivered_once();
            return;
        }
        if self.last_refused.as_deref() == Some(text.as_str()) {
            return;
        }
        let outcome = match self.shared.store() {
            None => match Store::from_json_with_options(&text, self.options) {
                Ok(store) => {
                    self.delivered = true;
                    self.write_cache(&text);
                    self.install(store, text, Origin::Source);
                    return;
                }
                Err(e) => Err(e),
            },
            Some(store) => store.update(&text),
        };
        match outcome {
            Ok(update) => {
                let changed = diff::changed_flags(self.last_text.as_deref(), &text);
                self.write_cache(&text);
                self.last_text = Some(text);
                self.last_refused = None;
                self.delivered_once();
                let revision = update.revision;
                self.shared.emit(
                    Event::Updated {
                        revision,
                        changed,
                        warnings: update.warnings,
                    },
                    |s| {
                        s.revision = Some(revision);
                        s.origin = Some(Origin::Source);
                        s.refused = None;
                    },
                );
            }
            Err(e) => self.refuse(text, &e),
        }
    }

    /// The first answer of a source attached to a store (or serving its cache) that
    /// changed nothing still makes the source's config the one serving.
    fn delivered_once(&mut self) {
        if !self.delivered {
            self.delivered = true;
            self.shared
                .update_status(|s| s.origin = Some(Origin::Source));
        }
    }

    fn refuse(&mut self, text: String, e: &ConfigError) {
        let problems: Vec<_> = e.problems();
        let errors = problems
            .iter()
            .filter(|p| p.severity == flagcore::Severity::Error)
            .count();
        let message = format!(
            "config refused ({errors} problem(s)); the last good config keeps serving: {e}"
        );
        self.last_refused = Some(text);
        let kept = problems.clone();
        self.shared.emit(Event::Refused { message, problems }, |s| {
            s.refused = Some(kept)
        });
    }

    fn write_cache(&mut self, text: &str) {
        if let Some(path) = &self.cache {
            let error = cache::write_atomic(path, text)
                .err()
                .map(|e| format!("{}: {e}", path.display()));
            self.shared.update_status(|s| s.cache_error = error);
        }
    }

    /// The source answered (a config, or not modified).
    pub(crate) fn succeeded(&mut self) {
        self.failing_since = None;
        let was_stale = self.shared.lock().status.stale;
        let now = SystemTime::now();
        if was_stale {
            let revision = self.shared.store().map(|s| s.revision());
            self.shared.emit(Event::Recovered { revision }, |s| {
                s.stale = false;
                s.failures = 0;
                s.last_error = None;
                s.last_success = Some(now);
            });
        } else {
            self.shared.update_status(|s| {
                s.failures = 0;
                s.last_error = None;
                s.last_success = Some(now);
            });
        }
    }

    /// An attempt failed.
    pub(crate) fn failed(&mut self, error: String) {
        if self.failing_since.is_none() {
            self.failing_since = Some(Instant::now());
        }
        self.shared.update_status(|s| {
            s.failures = s.failures.saturating_add(1);
            s.last_error = Some(error);
        });
        self.check_stale();
    }

    /// When the source turns stale if it keeps failing (None when it answers or is stale).
    pub(crate) fn stale_deadline(&self) -> Option<Instant> {
        let since = self.failing_since?;
        if self.shared.lock().status.stale {
            return None;
        }
        // Counted from the last success, or from the start if there was none.
        let status_success = self.shared.lock().status.last_success;
        let from = if status_success.is_some() {
            since
        } else {
            self.started
        };
        Some(from + self.stale_after)
    }

    /// Marks the source stale once it has failed for longer than `stale_after`.
    pub(crate) fn check_stale(&mut self) {
        let Some(deadline) = self.stale_deadline() else {
            return;
        };
        if Instant::now() < deadline {
            return;
        }
        let (last_success, error) = {
            let state = self.shared.lock();
            (
                state.status.last_success,
                state.status.last_error.clone().unwrap_or_default(),
            )
        };
        self.shared.emit(
            Event::Stale {
                last_success,
                error,
            },
            |s| s.stale = true,
        );
    }
}

/// The options every source has.
#[derive(Clone)]
pub(crate) struct Common {
    pub(crate) store_options: StoreOptions,
    pub(crate) cache: Option<PathBuf>,
    pub(crate) stale_after: Duration,
    pub(crate) on_event: Option<OnEvent>,
}

impl std::fmt::Debug for Common {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Common")
            .field("cache", &self.cache)
            .field("stale_after", &self.stale_after)
            .finish_non_exhaustive()
    }
}

impl Default for Common {
    fn default() -> Self {
        Common {
            store_options: StoreOptions::default(),
            cache: None,
            stale_after: Duration::from_secs(120),
            on_event: None,
        }
    }
}

/// A running source: a thread that keeps a [`Store`] up to date. Dropping it (or
/// [`Source::close`]) stops the thread and waits for it (at most the request timeout);
/// the store keeps serving its last config.
pub struct Source {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl Source {
    pub(crate) fn spawn(
        name: &str,
        shared: Arc<Shared>,
        body: impl FnOnce() + Send + 'static,
    ) -> Result<Source, SourceError> {
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(body)
            .map_err(SourceError::Thread)?;
        Ok(Source {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The store, once a config serves (at once when the source was attached to a store
    /// or its on-disk copy loaded; else after the first good config).
    pub fn store(&self) -> Option<Arc<Store>> {
        self.shared.store().cloned()
    }

    /// Waits up to `timeout` for a config to serve and returns the store.
    pub fn wait_ready(&self, timeout: Duration) -> Result<Arc<Store>, SourceError> {
        self.shared.wait_ready(timeout).ok_or_else(|| {
            let status = self.status();
            let why = match (&status.refused, &status.last_error) {
                (Some(problems), _) => format!(
                    "the source's config was refused: {}",
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                (None, Some(e)) => e.clone(),
                (None, None) => "no answer yet".to_owned(),
            };
            SourceError::NotReady(why)
        })
    }

    /// The state of the source now.
    pub fn status(&self) -> Status {
        self.shared.status()
    }

    /// The next event, waiting up to `timeout`; `None` on timeout or once closed and
    /// drained. Events are kept until read (the latest 1024).
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        self.shared.next_event(timeout)
    }

    /// Asks the source to check now instead of at its next interval (a page became
    /// visible, an operator asked). Returns at once.
    pub fn refresh(&self) {
        self.shared.refresh();
    }

    /// Stops the thread and waits for it. Idempotent; the store keeps serving.
    pub fn close(&self) {
        self.shared.stop();
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    /// Whether [`Source::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.shared.stopped()
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        self.close();
    }
}
