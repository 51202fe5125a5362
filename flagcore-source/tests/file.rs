//! The file source: in-place writes, atomic renames, a ConfigMap-style symlink swap,
//! writes in several steps (never loaded half-written), refusals.

mod support;

use std::fs;
use std::io::Write;
use std::time::{Duration, Instant};

use flagcore::Context;
use flagcore_source::{Event, FileSource, Source};
use support::{BAD, GOOD, KILLED};

fn events_until(source: &Source, kind: &str) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(e) = source.next_event(Duration::from_millis(50)) {
            let done = e.kind() == kind;
            seen.push(e);
            if done {
                return seen;
            }
        }
    }
    panic!(
        "no {kind} event; saw {seen:?}; status {:?}",
        source.status()
    );
}

fn fast(path: &std::path::Path) -> FileSource {
    FileSource::new(path)
        .debounce(Duration::from_millis(40))
        .poll(Duration::from_secs(10))
        .stale_after(Duration::from_millis(300))
}

#[test]
fn follows_in_place_writes_renames_and_steps_and_refuses_bad_files() {
    let dir = support::temp_dir("file");
    let path = dir.join("flags.json");
    fs::write(&path, GOOD).unwrap();
    let source = fast(&path).start().unwrap();
    let store = source
        .store()
        .expect("a good file serves when start returns");
    let user = Context::new("u");
    assert!(store.is_enabled("kill-me", &user));
    events_until(&source, "ready");

    // An editor's save: write a temporary file, rename it over.
    let tmp = dir.join(".flags.json.swp");
    fs::write(&tmp, KILLED).unwrap();
    fs::rename(&tmp, &path).unwrap();
    let seen = events_until(&source, "updated");
    assert!(
        matches!(&seen[..], [Event::Updated { changed, .. }] if changed == &["kill-me"]),
        "{seen:?}"
    );
    assert!(!store.is_enabled("kill-me", &user));

    // Written in steps, with pauses shorter than the debounce: only the whole file loads,
    // and the halves are never refused (nor served).
    let mut f = fs::File::create(&path).unwrap(); // truncates: an empty file first
    let (a, b) = GOOD.split_at(GOOD.len() / 2);
    for part in [a, b] {
        std::thread::sleep(Duration::from_millis(15));
        f.write_all(part.as_bytes()).unwrap();
        f.flush().unwrap();
    }
    drop(f);
    let seen = events_until(&source, "updated");
    assert_eq!(seen.len(), 1, "nothing but the update: {seen:?}");
    assert!(store.is_enabled("kill-me", &user));

    // A complete but wrong file: refused, the last good config serves on.
    let revision = store.revision();
    fs::write(&path, BAD).unwrap();
    match events_until(&source, "refused").pop() {
        Some(Event::Refused { problems, .. }) => assert!(!problems.is_empty()),
        e => panic!("{e:?}"),
    }
    assert_eq!(store.revision(), revision);

    // Gone: stale after 300 ms; back: recovered, and loaded.
    fs::remove_file(&path).unwrap();
    source.refresh();
    events_until(&source, "stale");
    fs::write(&path, KILLED).unwrap();
    let seen = events_until(&source, "updated");
    assert!(seen.iter().any(|e| e.kind() == "recovered"), "{seen:?}");
    assert!(!store.is_enabled("kill-me", &user));
    source.close();
    fs::remove_dir_all(dir).unwrap();
}

#[cfg(unix)]
#[test]
fn follows_a_kubernetes_configmap_symlink_swap() {
    // A ConfigMap volume: flags.json -> ..data/flags.json, ..data -> ..2026_01_01 (a
    // timestamped directory); an update writes a new directory and renames a new ..data
    // symlink over the old one. flags.json itself never changes.
    use std::os::unix::fs::symlink;
    let dir = support::temp_dir("configmap");
    fs::create_dir(dir.join("..v1")).unwrap();
    fs::write(dir.join("..v1/flags.json"), GOOD).unwrap();
    symlink("..v1", dir.join("..data")).unwrap();
    symlink("..data/flags.json", dir.join("flags.json")).unwrap();
    let source = fast(&dir.join("flags.json")).start().unwrap();
    let store = source.store().unwrap();

    fs::create_dir(dir.join("..v2")).unwrap();
    fs::write(dir.join("..v2/flags.json"), KILLED).unwrap();
    symlink("..v2", dir.join("..data_tmp")).unwrap();
    fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    fs::remove_dir_all(dir.join("..v1")).unwrap();
    events_until(&source, "updated");
    assert!(!store.is_enabled("kill-me", &Context::new("u")));
    drop(source);
    fs::remove_dir_all(dir).unwrap();
}
