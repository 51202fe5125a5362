//! Reading files (`-` is stdin) and loading configs.
//!
//! Every input the CLI reads (configs, `--ids`, plan metrics, env files) goes through
//! [`read_text`], which reads at most one byte more than the core's config limit
//! ([`flagcore::Limits`], 64 MiB by default): `/dev/zero` or an endless pipe is refused
//! with `too_large` in bounded memory instead of growing until memory runs out.

use std::fs::File;
use std::io::{self, Read};

use flagcore::{Config, ConfigError, Limits, Problem, ProblemCode, Report, Severity};

use crate::error::{over_limit, CliError};

/// The most bytes read from any one input: the core's limit for a config.
pub fn max_input_bytes() -> usize {
    Limits::default().max_bytes
}

/// Reads a whole text file; `-` reads stdin. An input over [`max_input_bytes`] is
/// refused with [`CliError::TooLarge`] after reading at most one byte more than the limit
/// (a regular file whose length is over it is refused without reading).
pub fn read_text(path: &str) -> Result<String, CliError> {
    let bytes = read_bytes(path)?;
    let name = if path == "-" { "stdin" } else { path };
    String::from_utf8(bytes).map_err(|_| {
        // The error that `read_to_string` gives.
        let e = io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        );
        CliError::read(name, e)
    })
}

/// Reads a whole file as bytes (`-`: stdin), bounded as [`read_text`] is.
pub fn read_bytes(path: &str) -> Result<Vec<u8>, CliError> {
    let limit = max_input_bytes();
    let (name, read) = if path == "-" {
        ("stdin", read_bounded(io::stdin().lock(), limit, 0))
    } else {
        let file = File::open(path).map_err(|e| CliError::read(path, e))?;
        let len = match file.metadata() {
            Ok(m) if m.is_file() => Some(m.len()),
            _ => None, // a device, a pipe, /proc: the length says nothing
        };
        if let Some(size) = len.filter(|&len| len > limit as u64) {
            return Err(CliError::TooLarge {
                what: path.to_owned(),
                size: Some(size),
                limit,
            });
        }
        let hint = len.map_or(0, |len| usize::try_from(len).unwrap_or(limit));
        (path, read_bounded(file, limit, hint))
    };
    read.map_err(|e| CliError::read(name, e))?
        .ok_or_else(|| CliError::TooLarge {
            what: name.to_owned(),
            size: None,
            limit,
        })
}

/// Reads `reader` to its end, or until it has given more than `limit` bytes: then
/// `Ok(None)`, having read `limit + 1` bytes and no more. The buffer starts at `hint`
/// bytes (a file's length) and grows by doubling, but never past `limit + 1` bytes.
fn read_bounded(mut reader: impl Read, limit: usize, hint: usize) -> io::Result<Option<Vec<u8>>> {
    let cap = limit.saturating_add(1);
    let mut bytes = Vec::with_capacity(hint.min(cap));
    let mut chunk = [0u8; 64 * 1024];
    while bytes.len() < cap {
        let want = chunk.len().min(cap - bytes.len());
        let n = match reader.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if bytes.capacity() - bytes.len() < n {
            let grow = bytes.capacity().max(n).min(cap - bytes.len());
            bytes.try_reserve_exact(grow)?;
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    Ok((bytes.len() <= limit).then_some(bytes))
}

/// How a config file loaded.
#[derive(Debug)]
pub enum Loaded {
    /// It loads (maybe with warnings, see [`Config::warnings`]).
    Valid(Box<Config>),
    /// It does not; every problem is in the report.
    Invalid(Report),
}

/// Reads and validates a config file. I/O errors are errors; an invalid config is a
/// [`Loaded::Invalid`] result.
pub fn read_config(path: &str) -> Result<Loaded, CliError> {
    // Bytes, not text: a config that is not UTF-8 is invalid (`invalid_utf8`, with the byte
    // offset, line and column), like any other problem, not unreadable.
    let bytes = match read_bytes(path) {
        Ok(bytes) => bytes,
        Err(CliError::TooLarge { size, limit, .. }) => {
            return Ok(Loaded::Invalid(too_large_report(size, limit)))
        }
        Err(e) => return Err(e),
    };
    Ok(match Config::from_slice(&bytes) {
        Ok(config) => Loaded::Valid(Box::new(config)),
        Err(ConfigError::Invalid(report)) => Loaded::Invalid(report),
        Err(other) => Loaded::Invalid(Report {
            errors: other.problems(),
            warnings: Vec::new(),
        }),
    })
}

/// The report of a config over the limit: the core's `too_large` problem (with the same
/// message as the core's when the size is known).
fn too_large_report(size: Option<u64>, limit: usize) -> Report {
    Report {
        errors: vec![Problem {
            severity: Severity::Error,
            code: ProblemCode::TooLarge,
            path: "$".into(),
            message: format!("config is {}", over_limit(size, limit)),
        }],
        warnings: Vec::new(),
    }
}

/// Reads a config that must be valid (for eval, simulate, diff): an invalid one is an
/// error. Warnings are printed on stderr unless `quiet`.
pub fn load_config(path: &str, quiet: bool) -> Result<Config, CliError> {
    match read_config(path)? {
        Loaded::Valid(config) => {
            if !quiet {
                for w in config.warnings() {
                    anstream::eprintln!(
                        "{}: {path}: {}",
                        crate::output::paint(crate::output::style::WARN, "warning"),
                        w
                    );
                }
            }
            Ok(*config)
        }
        Loaded::Invalid(report) => Err(CliError::InvalidConfig {
            path: path.to_owned(),
            report,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        let whole = read_bounded(io::repeat(b'x').take(1000), 1000, 0).unwrap();
        let whole = whole.expect("exactly the limit is accepted");
        assert_eq!(whole.len(), 1000);
        assert!(whole.capacity() <= 1001, "capacity {}", whole.capacity());
        assert!(read_bounded(io::repeat(b'x').take(1001), 1000, 0)
            .unwrap()
            .is_none());
        assert_eq!(
            read_bounded(io::empty(), 1000, 0).unwrap(),
            Some(Vec::new())
        );
        let hinted = read_bounded(&b"abc"[..], 1000, 3).unwrap().unwrap();
        assert_eq!((hinted.as_slice(), hinted.capacity()), (&b"abc"[..], 3));
    }

    #[test]
    fn an_endless_reader_stops_after_limit_plus_one_bytes() {
        struct Counting(u64);
        impl Read for Counting {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                buf.fill(0);
                self.0 += buf.len() as u64;
                Ok(buf.len())
            }
        }
        let mut endless = Counting(0);
        assert!(read_bounded(&mut endless, 200_000, 0).unwrap().is_none());
        assert_eq!(endless.0, 200_001);
    }

    #[test]
    fn the_limit_is_the_cores() {
        assert_eq!(max_input_bytes(), Limits::default().max_bytes);
        let report = too_large_report(Some(70_000_000), max_input_bytes());
        let core = ConfigError::TooLarge {
            size: 70_000_000,
            limit: max_input_bytes(),
        };
        assert_eq!(report.errors, core.problems());
    }
}
