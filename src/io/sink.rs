//! Where rendered documents go: standard output or files written atomically.
//!
//! Files are written to a temporary file beside the target and renamed into place only when
//! the whole run has succeeded, so a failed run never leaves a partial file that looks
//! complete. Files bypass the page cache where the system allows it (see [`super::direct`]).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tempfile::NamedTempFile;

use crate::error::{Error, Result};
use crate::io::direct::DirectFile;
use crate::io::input::Reject;
use crate::io::output::{OutputFormat, Rendered};

/// A file being written, renamed into place on [`Sink::commit`].
struct Pending {
    target: PathBuf,
    tmp: NamedTempFile,
    file: Out,
}

/// How a pending file's bytes reach it.
enum Out {
    Direct(DirectFile),
    Buffered(BufWriter<File>),
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Out::Direct(f) => f.write(bytes),
            Out::Buffered(f) => f.write(bytes),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Out::Direct(f) => f.write_all(bytes),
            Out::Buffered(f) => f.write_all(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Direct(f) => f.flush(),
            Out::Buffered(f) => f.flush(),
        }
    }
}

impl Pending {
    fn create(target: &Path) -> Result<Self> {
        Self::create_with(target, true)
    }

    /// As [`Pending::create`]; `direct` false writes through the page cache whatever the file
    /// system allows.
    fn create_with(target: &Path, direct: bool) -> Result<Self> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".transnorm-").suffix(".part");
        #[cfg(unix)]
        {
            // An ordinary file once renamed into place (tempfile's default is owner-only).
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        // tempfile's error names its random file; the user named `target`.
        let tmp = builder.tempfile_in(dir).map_err(|e| {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "its folder does not exist".to_owned(),
                std::io::ErrorKind::PermissionDenied => "its folder is not writable".to_owned(),
                _ => e.to_string(),
            };
            Error::io(target, std::io::Error::new(e.kind(), reason))
        })?;
        let file = match direct.then(|| DirectFile::open(tmp.path())).flatten() {
            Some(direct) => Out::Direct(direct),
            None => {
                let handle = tmp.reopen().map_err(|e| Error::io(target, e))?;
                Out::Buffered(BufWriter::with_capacity(1 << 20, handle))
            }
        };
        Ok(Pending {
            target: target.to_path_buf(),
            tmp,
            file,
        })
    }

    fn commit(self) -> Result<()> {
        let target = self.target;
        let file = match self.file {
            Out::Direct(f) => f.finish(),
            Out::Buffered(f) => f.into_inner().map_err(io::IntoInnerError::into_error),
        }
        .map_err(|e| Error::io(&target, e))?;
        file.sync_all().map_err(|e| Error::io(&target, e))?;
        self.tmp
            .persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        Ok(())
    }
}

enum Main {
    Stdout(BufWriter<io::Stdout>),
    File(Pending),
}

/// The destination of a run: the main output, the extra `moses` files, the rejects file.
pub struct Sink {
    main: Main,
    norm: Option<Pending>,
    ids: Option<Pending>,
    rejects: Option<Pending>,
}

#[derive(Serialize)]
struct RejectOut<'a> {
    file: String,
    line: u64,
    error: &'a str,
    record: &'a str,
}

impl Sink {
    /// Opens the outputs: `out` (standard output when `None`; for `moses` a prefix, required),
    /// and `rejects` when bad records are to be kept.
    ///
    /// # Errors
    /// A temporary file cannot be created beside a target; `moses` without a prefix.
    pub fn open(out: Option<&Path>, format: OutputFormat, rejects: Option<&Path>) -> Result<Self> {
        Self::open_with(out, format, rejects, true)
    }

    /// As [`Sink::open`], writing the format's header row (TSV) only when `header` is set: the
    /// shards after the first leave it out, so that their concatenation is one file.
    ///
    /// # Errors
    /// As [`Sink::open`].
    pub fn open_with(
        out: Option<&Path>,
        format: OutputFormat,
        rejects: Option<&Path>,
        header: bool,
    ) -> Result<Self> {
        let (main, norm, ids) = match (format, out) {
            (OutputFormat::Moses, None) => {
                return Err(Error::Config("--format moses needs -o PREFIX".into()))
            }
            (OutputFormat::Moses, Some(prefix)) => {
                let with = |ext: &str| {
                    let mut p = prefix.as_os_str().to_owned();
                    p.push(ext);
                    PathBuf::from(p)
                };
                (
                    Main::File(Pending::create(&with(".src"))?),
                    Some(Pending::create(&with(".norm"))?),
                    Some(Pending::create(&with(".ids"))?),
                )
            }
            (_, Some(path)) => (Main::File(Pending::create(path)?), None, None),
            (_, None) => (
                Main::Stdout(BufWriter::with_capacity(1 << 20, io::stdout())),
                None,
                None,
            ),
        };
        let rejects = rejects.map(Pending::create).transpose()?;
        let mut sink = Sink {
            main,
            norm,
            ids,
            rejects,
        };
        if let Some(h) = format.header().filter(|_| header) {
            sink.main_writer()
                .write_all(h)
                .map_err(|e| sink.main_error(e))?;
        }
        Ok(sink)
    }

    fn main_writer(&mut self) -> &mut dyn Write {
        match &mut self.main {
            Main::Stdout(w) => w,
            Main::File(p) => &mut p.file,
        }
    }

    fn main_error(&self, e: io::Error) -> Error {
        match &self.main {
            Main::Stdout(_) => Error::io("<stdout>", e),
            Main::File(p) => Error::io(&p.target, e),
        }
    }

    /// Writes one rendered document.
    ///
    /// # Errors
    /// A write failed (a full disk; a closed standard output, which the binary treats as a
    /// quiet end).
    pub fn write(&mut self, r: &Rendered) -> Result<()> {
        self.main_writer()
            .write_all(&r.main)
            .map_err(|e| self.main_error(e))?;
        for (p, bytes) in [(&mut self.norm, &r.norm), (&mut self.ids, &r.ids)] {
            if let Some(p) = p {
                p.file
                    .write_all(bytes)
                    .map_err(|e| Error::io(&p.target, e))?;
            }
        }
        Ok(())
    }

    /// Records a rejected record in the rejects file.
    ///
    /// # Errors
    /// No rejects file was opened, or writing to it failed.
    pub fn reject(&mut self, r: &Reject) -> Result<()> {
        let Some(p) = &mut self.rejects else {
            return Err(r.to_error());
        };
        let line = RejectOut {
            file: r.loc.path.display().to_string(),
            line: r.loc.line,
            error: &r.reason,
            record: &r.raw,
        };
        let mut bytes = serde_json::to_vec(&line).expect("plain data serializes");
        bytes.push(b'\n');
        p.file
            .write_all(&bytes)
            .map_err(|e| Error::io(&p.target, e))
    }

    /// Flushes everything and renames the files into place.
    ///
    /// # Errors
    /// A flush or rename failed.
    pub fn commit(self) -> Result<()> {
        match self.main {
            Main::Stdout(mut w) => w.flush().map_err(|e| Error::io("<stdout>", e))?,
            Main::File(p) => p.commit()?,
        }
        for p in [self.norm, self.ids, self.rejects].into_iter().flatten() {
            p.commit()?;
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically (a temporary file renamed into place).
///
/// # Errors
/// The file cannot be written or renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut p = Pending::create(path)?;
    p.file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    p.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct and buffered writes leave the same file, and nothing until the commit.
    #[test]
    fn direct_and_buffered_files_hold_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..(9 << 20) + 123).map(|k: u32| (k % 251) as u8).collect();
        for direct in [true, false] {
            let target = dir.path().join(format!("out-{direct}"));
            let mut p = Pending::create_with(&target, direct).unwrap();
            // Direct where the file system allows it (this project's machines do), never when
            // not asked for.
            assert!(direct || matches!(p.file, Out::Buffered(_)));
            for chunk in bytes.chunks(1 << 19) {
                p.file.write_all(chunk).unwrap();
            }
            assert!(!target.exists(), "nothing at the target before the commit");
            p.commit().unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), bytes);
        }
    }
}
