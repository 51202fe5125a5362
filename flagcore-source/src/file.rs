//! The file source: watches a config file and loads it when it changes.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use flagcore::{Store, StoreOptions};
use notify::{RecursiveMode, Watcher};

use crate::shared::{Common, OnEvent, Runner, Shared};
use crate::{cache, Event, Source, SourceError};

/// How many times a file that keeps changing is re-read before this round gives up (the
/// next change, or the next poll, tries again).
const STABLE_TRIES: u32 = 50;

/// Watches a config file (the notify crate: inotify, FSEvents, ReadDirectoryChangesW) and
/// loads it when it changes.
///
/// It watches the file's directory, not the file, so it follows every way a file gets
/// replaced: written in place, an editor's write-to-temporary-then-rename, a Kubernetes
/// ConfigMap volume's swap of its `..data` symlink. It never loads a half-written file:
/// after a change it waits until nothing has changed for `debounce`, then reads the file
/// twice, `debounce` apart, and goes on only when both reads agree (content, size and
/// modification time); an empty file counts as being written. The result is still
/// validated: a file that is complete but wrong is refused ([`Event::Refused`]) and the
/// last good config keeps serving. It also re-reads every `poll` (default 5 s) in case
/// change notifications are lost (network file systems).
///
/// # Example
/// ```no_run
/// use std::time::Duration;
/// use flagcore_source::FileSource;
/// let source = FileSource::new("/etc/flags/flags.json").start()?;
/// let store = source.wait_ready(Duration::from_secs(1))?;
/// # Ok::<(), flagcore_source::SourceError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileSource {
    path: PathBuf,
    debounce: Duration,
    poll: Duration,
    common: Common,
}

#[derive(Debug)]
enum Signal {
    Changed,
    Wake,
}

/// One read of the file: its text and what the file system says about it.
#[derive(Debug, PartialEq, Eq)]
struct Read {
    text: String,
    len: u64,
    modified: Option<SystemTime>,
}

impl FileSource {
    /// A source for the file at `path` (debounce 100 ms, poll 5 s, stale after 2 min of
    /// failed reads).
    pub fn new(path: impl Into<PathBuf>) -> FileSource {
        FileSource {
            path: path.into(),
            debounce: Duration::from_millis(100),
            poll: Duration::from_secs(5),
            common: Common::default(),
        }
    }

    /// How long the file must stay unchanged before it is read (default 100 ms).
    pub fn debounce(mut self, debounce: Duration) -> Self {
        self.debounce = debounce.max(Duration::from_millis(1));
        self
    }

    /// Re-reads the file this often even without a change notification (default 5 s).
    pub fn poll(mut self, poll: Duration) -> Self {
        self.poll = poll.max(Duration::from_millis(10));
        self
    }

    /// Keeps a copy of the last good config at `path` (see [`crate::HttpSource::cache_file`]).
    pub fn cache_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.common.cache = Some(path.into());
        self
    }

    /// Reports [`Event::Stale`] once the file has been unreadable for this long.
    pub fn stale_after(mut self, after: Duration) -> Self {
        self.common.stale_after = after;
        self
    }

    /// Limits and history of the store the source creates (and limits for every config).
    pub fn store_options(mut self, options: StoreOptions) -> Self {
        self.common.store_options = options;
        self
    }

    /// Calls `f` with every event, on the source's thread (keep it short).
    pub fn on_event(mut self, f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        let f: OnEvent = Arc::new(f);
        self.common.on_event = Some(f);
        self
    }

    /// Reads the file (a good one serves when this returns) and watches it on a new thread.
    pub fn start(self) -> Result<Source, SourceError> {
        self.launch(None)
    }

    /// Like [`FileSource::start`], updating `store`.
    pub fn start_with(self, store: Arc<Store>) -> Result<Source, SourceError> {
        self.launch(Some(store))
    }

    fn launch(self, store: Option<Arc<Store>>) -> Result<Source, SourceError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let shared = Arc::new(Shared::new(store, self.common.on_event.clone()));
        let (tx, rx) = mpsc::channel();
        let wake = tx.clone();
        shared.set_waker(Box::new(move || {
            let _ = wake.send(Signal::Wake);
        }));
        // The watcher is created, and the file first read, on the source's thread: notify's
        // setup blocks on a channel, which gives the calling thread a lazily allocated handle
        // that a C caller's thread would keep until it exits. The caller waits for the outcome
        // (a condition variable, which allocates nothing per thread).
        let handshake: Arc<Handshake> = Arc::new((Mutex::new(None), Condvar::new()));
        let told = Arc::clone(&handshake);
        let mut runner = Runner::new(Arc::clone(&shared), &self.common);
        let source = Source::spawn("flagcore-file-source", shared, move || {
            let told = Told(told);
            let tell = |outcome: Result<(), String>| told.tell(outcome);
            let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
                if res.is_ok_and(|e| !e.kind.is_access()) {
                    let _ = tx.send(Signal::Changed);
                }
            })
            .and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|()| w));
            let watcher = match watcher {
                Ok(w) => w,
                Err(e) => return tell(Err(format!("{}: {e}", dir.display()))),
            };
            runner.load_cache();
            self.read_now(&mut runner);
            tell(Ok(()));
            self.run(runner, &rx);
            drop(watcher);
        })?;
        let mut outcome = handshake.0.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match outcome.take() {
                Some(Ok(())) => return Ok(source),
                Some(Err(e)) => {
                    drop(outcome);
                    source.close();
                    return Err(SourceError::Watch(e));
                }
                None => {
                    outcome = handshake.1.wait(outcome).unwrap_or_else(|e| e.into_inner());
                }
            }
        }
    }

    fn read_once(&self, max_bytes: usize) -> Result<Read, String> {
        let shown = || self.path.display().to_string();
        let meta = std::fs::metadata(&self.path).map_err(|e| format!("{}: {e}", shown()))?;
        let text = cache::read_bounded(&self.path, max_bytes)
            .map_err(|e| format!("{}: {e}", shown()))?
            .ok_or_else(|| format!("{}: not found", shown()))?;
        Ok(Read {
            text,
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }

    /// Reads until two reads `debounce` apart agree. `Ok(None)`: still being written.
    fn read_stable(&self, runner: &Runner) -> Result<Option<String>, String> {
        let max_bytes = self.common.store_options.limits.max_bytes;
        let mut previous = self.read_once(max_bytes)?;
        for _ in 0..STABLE_TRIES {
            std::thread::sleep(self.debounce);
            if runner.shared.stopped() {
                return Ok(None);
            }
            let current = self.read_once(max_bytes)?;
            if current == previous && current.len == current.text.len() as u64 {
                if current.text.trim().is_empty() {
                    return Ok(None);
                }
                return Ok(Some(current.text));
            }
            previous = current;
        }
        Ok(None)
    }

    fn read_now(&self, runner: &mut Runner) {
        match self.read_stable(runner) {
            Ok(Some(text)) => runner.apply(text),
            Ok(None) => {}
            Err(e) => runner.failed(e),
        }
    }

    fn run(&self, mut runner: Runner, rx: &mpsc::Receiver<Signal>) {
        let mut next_poll = Instant::now() + self.poll;
        loop {
            if runner.shared.stopped() {
                return;
            }
            let until = runner
                .stale_deadline()
                .map_or(next_poll, |d| d.min(next_poll));
            let wait = until.saturating_duration_since(Instant::now());
            let read = match rx.recv_timeout(wait) {
                Ok(Signal::Changed) => {
                    // Let the writer finish: wait for a quiet `debounce`.
                    while let Ok(signal) = rx.recv_timeout(self.debounce) {
                        if matches!(signal, Signal::Wake) && runner.shared.stopped() {
                            return;
                        }
                    }
                    true
                }
                Ok(Signal::Wake) => runner.shared.take_refresh(),
                Err(RecvTimeoutError::Timeout) => {
                    runner.check_stale();
                    Instant::now() >= next_poll
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if read && !runner.shared.stopped() {
                self.read_now(&mut runner);
                next_poll = Instant::now() + self.poll;
            }
        }
    }
}

type Handshake = (Mutex<Option<Result<(), String>>>, Condvar);

/// The source thread's side of the start handshake: says why if the thread ends (a panic)
/// before it has told the caller anything, so the caller never waits forever.
struct Told(Arc<Handshake>);

impl Told {
    fn tell(&self, outcome: Result<(), String>) {
        *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
        self.0 .1.notify_all();
    }
}

impl Drop for Told {
    fn drop(&mut self) {
        let mut slot = self.0 .0.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Err(
                "the source thread ended before it started watching".into()
            ));
        }
        drop(slot);
        self.0 .1.notify_all();
    }
}
