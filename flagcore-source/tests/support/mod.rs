//! A config server for the tests: 127.0.0.1 only, ETags, and switches to fail.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const GOOD: &str = r#"{"schemaVersion": 1, "flags": {
  "kill-me": {"enabled": true, "default": {"variant": "on"}},
  "other": {"enabled": true, "default": {"variant": "off"}}}}"#;
pub const KILLED: &str = r#"{"schemaVersion": 1, "flags": {
  "kill-me": {"enabled": false, "default": {"variant": "on"}},
  "other": {"enabled": true, "default": {"variant": "off"}}}}"#;
pub const BAD: &str = r#"{"schemaVersion": 1, "flags": {"kill-me": {"enabled": "no"}}}"#;

#[derive(Debug, Default)]
pub struct State {
    pub body: String,
    pub version: u64,
    /// Answer 503 to everything.
    pub failing: bool,
    /// (If-None-Match, status) of every request.
    pub log: Vec<(Option<String>, u16)>,
    pub auth: Vec<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start(body: &str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/flags.json", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            body: body.to_owned(),
            version: 1,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut inm = None;
                let mut auth = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("if-none-match:") {
                        inm = Some(v.trim().to_owned());
                    }
                    if lower.starts_with("authorization:") {
                        auth = Some(line["authorization:".len()..].trim().to_owned());
                    }
                }
                let mut s = shared.lock().unwrap();
                let etag = format!("\"v{}\"", s.version);
                let (status, body) = if s.failing {
                    (503, String::from("down"))
                } else if inm.as_deref() == Some(etag.as_str()) {
                    (304, String::new())
                } else {
                    (200, s.body.clone())
                };
                s.log.push((inm, status));
                s.auth.push(auth);
                drop(s);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Server { url, state }
    }

    pub fn publish(&self, body: &str) {
        let mut s = self.state.lock().unwrap();
        s.body = body.to_owned();
        s.version += 1;
    }

    pub fn set_failing(&self, failing: bool) {
        self.state.lock().unwrap().failing = failing;
    }
}

pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("flagcore-source-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
