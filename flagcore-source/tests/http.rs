//! The HTTP source against a local server: ready, conditional requests, updates with the
//! changed flags, refusals, staleness and recovery, the on-disk copy.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use flagcore::{Context, Store};
use flagcore_source::{Event, HttpSource, Origin, Source, SourceError};
use support::{Server, BAD, GOOD, KILLED};

const WAIT: Duration = Duration::from_secs(5);

/// The next event of `kind`, skipping others; fails after 5 s.
fn expect(source: &Source, kind: &str) -> Event {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(e) = source.next_event(Duration::from_millis(100)) {
            if e.kind() == kind {
                return e;
            }
        }
    }
    panic!(
        "no {kind} event within {WAIT:?}; status {:?}",
        source.status()
    );
}

fn fast(url: &str) -> HttpSource {
    HttpSource::new(url)
        .interval(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(100))
        .timeout(Duration::from_secs(2))
        .stale_after(Duration::from_millis(300))
}

#[test]
fn serves_updates_refuses_bad_configs_goes_stale_and_recovers() {
    let server = Server::start(GOOD);
    let user = Context::new("u");
    let source = fast(&server.url)
        .header("Authorization", "Bearer t0k3n")
        .start()
        .unwrap();
    let store = source.wait_ready(WAIT).unwrap();
    assert!(matches!(
        expect(&source, "ready"),
        Event::Ready {
            revision: 1,
            origin: Origin::Source
        }
    ));
    assert!(store.is_enabled("kill-me", &user));

    // Unchanged: conditional requests, answered 304, no new revision.
    std::thread::sleep(Duration::from_millis(300));
    {
        let s = server.state.lock().unwrap();
        assert!(s
            .log
            .iter()
            .any(|(inm, status)| inm.as_deref() == Some("\"v1\"") && *status == 304));
        assert!(s.auth.iter().all(|a| a.as_deref() == Some("Bearer t0k3n")));
    }
    assert_eq!(store.revision(), 1);

    // The kill switch: one flag changed.
    server.publish(KILLED);
    match expect(&source, "updated") {
        Event::Updated {
            revision, changed, ..
        } => {
            assert_eq!(revision, 2);
            assert_eq!(changed, ["kill-me"]);
        }
        e => panic!("{e:?}"),
    }
    assert!(!store.is_enabled("kill-me", &user));

    // A bad config: refused once, with its problems; the last good one serves on.
    server.publish(BAD);
    match expect(&source, "refused") {
        Event::Refused { problems, message } => {
            assert!(
                problems.iter().any(|p| p.path.contains("enabled")),
                "{problems:?}"
            );
            assert!(message.contains("keeps serving"), "{message}");
        }
        e => panic!("{e:?}"),
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        source.next_event(Duration::ZERO).is_none(),
        "a refusal is reported once"
    );
    assert_eq!(store.revision(), 2);
    assert!(source.status().refused.is_some());

    // Down: stale after 300 ms, still serving; back: recovered.
    server.set_failing(true);
    let t0 = Instant::now();
    assert!(matches!(
        expect(&source, "stale"),
        Event::Stale {
            last_success: Some(_),
            ..
        }
    ));
    assert!(
        t0.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t0.elapsed()
    );
    assert!(source.status().stale && source.status().failures > 0);
    assert!(!store.is_enabled("kill-me", &user));
    server.publish(GOOD);
    server.set_failing(false);
    assert!(matches!(
        expect(&source, "recovered"),
        Event::Recovered { .. }
    ));
    assert!(matches!(
        expect(&source, "updated"),
        Event::Updated { revision: 3, .. }
    ));
    assert!(store.is_enabled("kill-me", &user));
    let status = source.status();
    assert!(!status.stale && status.refused.is_none() && status.last_success.is_some());

    source.close();
    assert!(source.is_closed());
    let requests = server.state.lock().unwrap().log.len();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        server.state.lock().unwrap().log.len(),
        requests,
        "no request after close"
    );
}

#[test]
fn the_on_disk_copy_serves_while_the_server_is_down() {
    let dir = support::temp_dir("cache");
    let cache = dir.join("last-good.json");
    let server = Server::start(KILLED);
    {
        let source = fast(&server.url).cache_file(&cache).start().unwrap();
        source.wait_ready(WAIT).unwrap();
        expect(&source, "ready");
    }
    assert_eq!(std::fs::read_to_string(&cache).unwrap(), KILLED);

    // Restarted while the server is down: the copy serves at once, and the source says so.
    server.set_failing(true);
    let source = fast(&server.url).cache_file(&cache).start().unwrap();
    let store = source.store().expect("the copy serves when start returns");
    assert!(matches!(
        expect(&source, "ready"),
        Event::Ready {
            origin: Origin::Cache,
            ..
        }
    ));
    assert!(!store.is_enabled("kill-me", &Context::new("u")));
    expect(&source, "stale");
    assert_eq!(source.status().origin, Some(Origin::Cache));

    // Back, with the same config: nothing changes but the origin.
    server.set_failing(false);
    expect(&source, "recovered");
    assert_eq!(store.revision(), 1);
    assert_eq!(source.status().origin, Some(Origin::Source));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_refused_first_config_leaves_the_source_not_ready() {
    let server = Server::start(BAD);
    let source = fast(&server.url).start().unwrap();
    expect(&source, "refused");
    match source.wait_ready(Duration::from_millis(100)) {
        Err(SourceError::NotReady(why)) => assert!(why.contains("refused"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(source.store().is_none());
}

#[test]
fn attaches_to_a_store_and_reports_connection_failures() {
    let store = Arc::new(Store::from_json(GOOD).unwrap());
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let source = fast(&format!("http://127.0.0.1:{port}/flags.json"))
        .start_with(Arc::clone(&store))
        .unwrap();
    assert!(Arc::ptr_eq(&source.store().unwrap(), &store));
    expect(&source, "stale");
    let status = source.status();
    assert!(status.ready && status.last_success.is_none());
    assert!(status.last_error.unwrap().contains("127.0.0.1"));
}

#[test]
fn refuses_urls_that_are_not_http() {
    assert!(matches!(
        HttpSource::new("ftp://x/y").start(),
        Err(SourceError::InvalidUrl(_))
    ));
    assert!(matches!(
        HttpSource::new("/etc/flags.json").start(),
        Err(SourceError::InvalidUrl(_))
    ));
}

#[test]
fn close_is_prompt_while_backing_off() {
    let server = Server::start(GOOD);
    server.set_failing(true);
    let source = HttpSource::new(&server.url)
        .interval(Duration::from_secs(30))
        .start()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    drop(source);
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
}
