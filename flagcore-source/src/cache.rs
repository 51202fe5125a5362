//! The on-disk copy of the last good config: read at start, written atomically.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Reads at most `max_bytes` of a file as UTF-8. `Ok(None)` when it does not exist.
pub(crate) fn read_bounded(path: &Path, max_bytes: usize) -> io::Result<Option<String>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is larger than {max_bytes} bytes", path.display()),
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `text` to `path` so that a reader (or a crash) sees the old file or the new one,
/// never a mix: a temporary file in the same directory, flushed to disk, renamed over
/// `path`, then the directory flushed.
pub(crate) fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "cache path has no file name")
    })?;
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_reads_bounded() {
        let dir = std::env::temp_dir().join(format!("flagcore-cache-{}", std::process::id()));
        let path = dir.join("sub").join("last-good.json");
        write_atomic(&path, "{\"a\": 1}").unwrap();
        write_atomic(&path, "{\"b\": 2}").unwrap();
        assert_eq!(
            read_bounded(&path, 100).unwrap().as_deref(),
            Some("{\"b\": 2}")
        );
        assert!(read_bounded(&path, 3).is_err());
        assert_eq!(read_bounded(&dir.join("none"), 100).unwrap(), None);
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        fs::remove_dir_all(dir).unwrap();
    }
}
