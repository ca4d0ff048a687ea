//! Guest standard output and error: memory pipes with a hard cap.
//!
//! wasmtime's own `MemoryOutputPipe` reports itself closed once full, which
//! guests handle badly (CPython exits 120; QuickJS keeps printing until the
//! deadline). This pipe never reports closed: a write past the cap keeps what
//! fits, marks the stream truncated and traps, so the run ends at once with an
//! `output_limit` verdict.

use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// The error a capped pipe traps with; the runner looks for it.
#[derive(Debug, thiserror::Error)]
#[error("output limit of {cap} bytes exceeded on {stream}")]
pub struct OutputOverflow {
    /// `stdout` or `stderr`.
    pub stream: &'static str,
    /// The cap in bytes.
    pub cap: usize,
}

#[derive(Debug, Default)]
struct Buffer {
    bytes: BytesMut,
    truncated: bool,
}

/// A capped, shareable in-memory output stream.
#[derive(Clone, Debug)]
pub struct CappedPipe {
    stream: &'static str,
    cap: usize,
    buffer: Arc<Mutex<Buffer>>,
}

impl CappedPipe {
    /// A pipe keeping at most `cap` bytes.
    pub fn new(stream: &'static str, cap: usize) -> Self {
        Self {
            stream,
            cap,
            buffer: Arc::new(Mutex::new(Buffer::default())),
        }
    }

    /// What was written (at most the cap) and whether more was attempted.
    pub fn take(&self) -> (Bytes, bool) {
        let mut buf = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        (std::mem::take(&mut buf.bytes).freeze(), buf.truncated)
    }
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        // Only the p2 stream is used by the preview-1 adapter; a sink keeps the
        // trait satisfied without a second, uncapped path.
        Box::new(tokio::io::sink())
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        let mut buf = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        let room = self.cap - buf.bytes.len();
        if bytes.len() <= room {
            buf.bytes.extend_from_slice(&bytes);
            return Ok(());
        }
        buf.bytes.extend_from_slice(&bytes[..room]);
        buf.truncated = true;
        Err(StreamError::Trap(wasmtime::Error::new(OutputOverflow {
            stream: self.stream,
            cap: self.cap,
        })))
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        // Always writable: the cap is enforced in `write`, never by closing.
        Ok(64 * 1024)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_fits_then_traps_and_never_reports_closed() {
        let pipe = CappedPipe::new("stdout", 5);
        let mut stream = pipe.clone();
        assert!(stream.check_write().is_ok());
        stream.write(Bytes::from_static(b"abc")).unwrap();
        let err = stream.write(Bytes::from_static(b"defg")).unwrap_err();
        assert!(matches!(err, StreamError::Trap(_)));
        assert!(
            stream.check_write().is_ok(),
            "a full pipe must not look closed"
        );
        let (bytes, truncated) = pipe.take();
        assert_eq!(&bytes[..], b"abcde");
        assert!(truncated);
    }
}
