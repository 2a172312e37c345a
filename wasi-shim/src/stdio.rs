//! Standard input, output and error of a guest: inherited from the host process, or
//! in-memory buffers an embedder (or a test) fills and reads.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

/// A shared, growable byte buffer that captures a guest's output. Clones share the bytes,
/// so keep one clone and hand the other to [`Stdio::Buffer`].
#[derive(Debug, Clone, Default)]
pub struct OutputBuffer(Arc<Mutex<Vec<u8>>>);

impl OutputBuffer {
    /// An empty buffer.
    pub fn new() -> OutputBuffer {
        OutputBuffer::default()
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().clone()
    }

    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn contents_string(&self) -> String {
        String::from_utf8_lossy(&self.lock()).into_owned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        // A panic while holding the lock leaves valid bytes behind; keep using them.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Where a guest's standard output or standard error goes.
#[derive(Debug, Clone, Default)]
pub enum Stdio {
    /// The host process's own stream.
    #[default]
    Inherit,
    /// Discarded.
    Null,
    /// Appended to a shared buffer.
    Buffer(OutputBuffer),
}

impl Stdio {
    pub(crate) fn write(&self, bytes: &[u8], stderr: bool) -> std::io::Result<()> {
        match self {
            Stdio::Inherit if stderr => {
                let mut e = std::io::stderr().lock();
                e.write_all(bytes)?;
                e.flush()
            }
            Stdio::Inherit => {
                let mut o = std::io::stdout().lock();
                o.write_all(bytes)?;
                o.flush()
            }
            Stdio::Null => Ok(()),
            Stdio::Buffer(b) => {
                b.lock().extend_from_slice(bytes);
                Ok(())
            }
        }
    }
}

/// Where a guest's standard input comes from.
#[derive(Debug, Clone, Default)]
pub enum Stdin {
    /// The host process's standard input.
    #[default]
    Inherit,
    /// Nothing: reads return end of file.
    Null,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
}

/// Standard input with its read position.
#[derive(Debug)]
pub(crate) enum StdinState {
    Inherit,
    Bytes { data: Vec<u8>, pos: usize },
}

impl StdinState {
    pub(crate) fn new(stdin: Stdin) -> StdinState {
        match stdin {
            Stdin::Inherit => StdinState::Inherit,
            Stdin::Null => StdinState::Bytes {
                data: Vec::new(),
                pos: 0,
            },
            Stdin::Bytes(data) => StdinState::Bytes { data, pos: 0 },
        }
    }

    pub(crate) fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            StdinState::Inherit => std::io::stdin().lock().read(buf),
            StdinState::Bytes { data, pos } => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
        }
    }
}
