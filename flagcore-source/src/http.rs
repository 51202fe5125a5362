//! The HTTP(S) polling source.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use flagcore::{Store, StoreOptions};
use ureq::http::StatusCode;

use crate::shared::{Common, OnEvent, Runner, Shared, Wake};
use crate::{Event, Source, SourceError};

/// Polls a URL for the config: conditional requests (`If-None-Match` with the last
/// `ETag`, `If-Modified-Since` with the last `Last-Modified`), an interval with jitter, a
/// timeout per request, and exponential backoff while it fails. Any static file server,
/// object store or CDN that sends `ETag` or `Last-Modified` serves configs.
///
/// # Example
/// ```no_run
/// use std::time::Duration;
/// use flagcore_source::HttpSource;
/// let source = HttpSource::new("https://cdn.example.com/flags/prod.json")
///     .interval(Duration::from_secs(30))
///     .header("Authorization", "Bearer s3cr3t")
///     .cache_file("/var/cache/myservice/flags.json") // serves this while the server is down
///     .stale_after(Duration::from_secs(300))
///     .on_event(|e| eprintln!("flags: {}", e.to_json()))
///     .start()?;
/// let store = source.wait_ready(Duration::from_secs(5))?;
/// # let user = flagcore::Context::new("u");
/// if store.is_enabled("speechmatics-direct", &user) { /* ... */ }
/// # Ok::<(), flagcore_source::SourceError>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpSource {
    url: String,
    interval: Duration,
    jitter: f64,
    timeout: Duration,
    max_backoff: Duration,
    headers: Vec<(String, String)>,
    common: Common,
}

impl HttpSource {
    /// A source polling `url` (`http://` or `https://`) every 30 s (±10%), with a 10 s
    /// timeout, backoff up to 2 min, stale after 2 min of failures, and no on-disk copy.
    pub fn new(url: impl Into<String>) -> HttpSource {
        HttpSource {
            url: url.into(),
            interval: Duration::from_secs(30),
            jitter: 0.1,
            timeout: Duration::from_secs(10),
            max_backoff: Duration::from_secs(120),
            headers: Vec::new(),
            common: Common::default(),
        }
    }

    /// The time between two requests while the server answers (at least 10 ms).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(10));
        self
    }

    /// Spreads requests by up to this fraction of the interval either way (0 to 0.5;
    /// default 0.1), so a fleet does not poll in lockstep.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_finite() {
            fraction.clamp(0.0, 0.5)
        } else {
            0.0
        };
        self
    }

    /// The longest a request may take, connection and body included (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(10));
        self
    }

    /// While failing, the delay doubles from the interval up to this (default 2 min).
    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// Sends this header with every request (an auth token, say). Repeatable.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Keeps a copy of the last good config at `path` (written atomically), and serves it
    /// at start until the server answers: a process that starts while the server is down
    /// serves what it served before instead of nothing.
    pub fn cache_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.common.cache = Some(path.into());
        self
    }

    /// Reports [`Event::Stale`] once requests have failed for this long (default 2 min).
    pub fn stale_after(mut self, after: Duration) -> Self {
        self.common.stale_after = after;
        self
    }

    /// Limits and history of the store the source creates (and limits for every config).
    pub fn store_options(mut self, options: StoreOptions) -> Self {
        self.common.store_options = options;
        self
    }

    /// Calls `f` with every event, on the source's thread (keep it short); the `ready` of an
    /// on-disk copy is delivered on the thread calling [`HttpSource::start`], before it
    /// returns.
    pub fn on_event(mut self, f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        let f: OnEvent = Arc::new(f);
        self.common.on_event = Some(f);
        self
    }

    /// Starts polling on a new thread; the store is created from the on-disk copy (at
    /// once) or the first good config ([`Source::wait_ready`]).
    pub fn start(self) -> Result<Source, SourceError> {
        self.launch(None)
    }

    /// Starts polling on a new thread, updating `store` (which serves its own config
    /// until the server delivers; the on-disk copy is not read).
    pub fn start_with(self, store: Arc<Store>) -> Result<Source, SourceError> {
        self.launch(Some(store))
    }

    fn launch(self, store: Option<Arc<Store>>) -> Result<Source, SourceError> {
        let lower = self.url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(SourceError::InvalidUrl(self.url));
        }
        if let Err(e) = self.url.parse::<ureq::http::Uri>() {
            return Err(SourceError::InvalidUrl(format!("{}: {e}", self.url)));
        }
        let shared = Arc::new(Shared::new(store, self.common.on_event.clone()));
        let mut runner = Runner::new(Arc::clone(&shared), &self.common);
        runner.load_cache();
        Source::spawn("flagcore-http-source", shared, move || self.run(runner))
    }

    fn agent(&self) -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("flagcore-source/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    }

    /// One conditional request; `Ok(None)` when not modified.
    fn fetch(
        &self,
        agent: &ureq::Agent,
        validators: &mut Validators,
        max_bytes: usize,
    ) -> Result<Option<String>, String> {
        let mut request = agent.get(&self.url);
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(etag) = &validators.etag {
            request = request.header("If-None-Match", etag.as_str());
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header("If-Modified-Since", modified.as_str());
        }
        let mut response = request
            .call()
            .map_err(|e| format!("GET {}: {e}", self.url))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(format!("GET {}: HTTP {status}", self.url));
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header("etag");
        let last_modified =
            header("last-modified").filter(|v| httpdate::parse_http_date(v).is_ok());
        let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX);
        let text = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_string()
            .map_err(|e| format!("GET {}: reading the body: {e}", self.url))?;
        validators.etag = etag;
        validators.last_modified = last_modified;
        Ok(Some(text))
    }

    fn jittered(&self, base: Duration) -> Duration {
        let spread = (fastrand::f64() * 2.0 - 1.0) * self.jitter;
        base.mul_f64((1.0 + spread).max(0.0))
    }

    fn run(self, mut runner: Runner) {
        let agent = self.agent();
        let max_bytes = runner_max_bytes(&self.common);
        let mut validators = Validators::default();
        loop {
            if runner.shared.stopped() {
                return;
            }
            let delay = match self.fetch(&agent, &mut validators, max_bytes) {
                Ok(Some(text)) => {
                    runner.apply(text);
                    self.jittered(self.interval)
                }
                Ok(None) => {
                    runner.succeeded();
                    self.jittered(self.interval)
                }
                Err(e) => {
                    runner.failed(e);
                    let failures = runner.shared.status().failures.min(30);
                    let backoff = self
                        .interval
                        .saturating_mul(1 << failures.saturating_sub(1).min(20));
                    self.jittered(backoff.min(self.max_backoff.max(self.interval)))
                }
            };
            let next = Instant::now() + delay;
            loop {
                let until = runner.stale_deadline().map_or(next, |d| d.min(next));
                match runner.shared.sleep_until(until) {
                    Wake::Stop => return,
                    Wake::Refresh => break,
                    Wake::Timeout if Instant::now() >= next => break,
                    Wake::Timeout => runner.check_stale(),
                }
            }
        }
    }
}

fn runner_max_bytes(common: &Common) -> usize {
    common.store_options.limits.max_bytes
}

/// What the server said about the last config it sent, for conditional requests.
#[derive(Debug, Default)]
struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
}
