//! The snapshot file a view keeps beside the database: a copy of what it holds and the feed
//! position that copy is at, so that a restart reads the file and catches up from the feed
//! instead of reading every case again.
//!
//! A file is its view's magic bytes (the format and its version), a fingerprint of what its
//! contents were computed under (the time limits, the feature tables), the position, a count,
//! and the view's own records. It is written beside its name and moved into place, so that a
//! crash leaves the old one or the new one, never half of one; a reader refuses a file whose
//! fingerprint differs, that is cut short or that runs on past its count.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Position;

/// The longest time between two snapshots of a view while cases change.
pub const EVERY: Duration = Duration::from_secs(300);

/// What a snapshot's header says.
pub(super) struct Header {
    pub fingerprint: [u8; 8],
    pub position: Position,
    /// The records that follow.
    pub count: u64,
}

fn read_header_from(input: &mut impl Read, magic: &[u8; 8]) -> std::io::Result<Option<Header>> {
    let mut found = [0u8; 8];
    input.read_exact(&mut found)?;
    if &found != magic {
        return Ok(None);
    }
    let mut fingerprint = [0u8; 8];
    input.read_exact(&mut fingerprint)?;
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let mut text = vec![0u8; u32::from_le_bytes(len) as usize];
    input.read_exact(&mut text)?;
    let Some(position) = std::str::from_utf8(&text)
        .ok()
        .and_then(super::feed::from_text)
    else {
        return Ok(None);
    };
    let mut count = [0u8; 8];
    input.read_exact(&mut count)?;
    Ok(Some(Header {
        fingerprint,
        position,
        count: u64::from_le_bytes(count),
    }))
}

/// The header of the snapshot at `path`; `None` if there is none, or in another format.
pub(super) fn read_header(path: &Path, magic: &[u8; 8]) -> std::io::Result<Option<Header>> {
    match File::open(path) {
        Ok(file) => read_header_from(&mut BufReader::new(file), magic),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Reads the snapshot at `path` with `records` (given the header and the input after it),
/// if it is in this format, was written under `fingerprint` and holds nothing after its
/// records.
pub(super) fn read<T>(
    path: &Path,
    magic: &[u8; 8],
    fingerprint: [u8; 8],
    records: impl FnOnce(&Header, &mut BufReader<File>) -> anyhow::Result<T>,
) -> anyhow::Result<(Position, T)> {
    let mut input = BufReader::with_capacity(1 << 20, File::open(path)?);
    let header =
        read_header_from(&mut input, magic)?.ok_or_else(|| anyhow::anyhow!("not a snapshot"))?;
    if header.fingerprint != fingerprint {
        anyhow::bail!("written under other tables");
    }
    let read = records(&header, &mut input)?;
    let mut rest = [0u8; 1];
    if input.read(&mut rest)? != 0 {
        anyhow::bail!("longer than its header says");
    }
    Ok((header.position, read))
}

/// Writes a snapshot of `count` records (`records` writes them and says how many it wrote)
/// beside `path` and moves it into place.
pub(super) fn write(
    path: &Path,
    magic: &[u8; 8],
    fingerprint: [u8; 8],
    position: Position,
    count: u64,
    records: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<u64>,
) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    let file = File::create(&temporary)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(magic)?;
    out.write_all(&fingerprint)?;
    let text = super::feed::to_text(&position);
    out.write_all(&u32::try_from(text.len()).unwrap_or(0).to_le_bytes())?;
    out.write_all(text.as_bytes())?;
    out.write_all(&count.to_le_bytes())?;
    if records(&mut out)? != count {
        return Err(std::io::Error::other(
            "the view changed its count while written",
        ));
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// When a view last wrote its snapshot, so that it writes at most every [`EVERY`].
#[derive(Debug, Default)]
pub(super) struct Schedule {
    written_at: Mutex<Option<Instant>>,
}

impl Schedule {
    /// No snapshot written yet by this process.
    pub fn never_written(&self) -> bool {
        self.written_at.lock().is_ok_and(|w| w.is_none())
    }

    /// A snapshot is due: none written yet, the last older than [`EVERY`], or `now`.
    pub fn due(&self, now: bool) -> bool {
        let written = self.written_at.lock().unwrap_or_else(|e| e.into_inner());
        now || written.is_none_or(|at| at.elapsed() >= EVERY)
    }

    /// One was written (or tried) just now.
    pub fn written(&self) {
        *self.written_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }
}
