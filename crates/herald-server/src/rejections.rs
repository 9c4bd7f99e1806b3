//! hyper answers some malformed requests itself, before any handler or
//! middleware runs: a URI over 64 KiB (414), headers over its buffer (431),
//! a request it cannot parse (400), each with an empty body. This listener
//! wraps every connection so that such an answer leaves with the API's JSON
//! error body instead: a response head hyper wrote with `content-length: 0`
//! and a 4xx status is replaced, whole, before it reaches the socket. The
//! API's own error answers always carry a body, so only hyper's match.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A listener whose connections rewrite hyper's bodiless rejections.
pub struct JsonRejections<L>(pub L);

impl<L: Listener> Listener for JsonRejections<L> {
    type Io = Rewrite<L::Io>;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = self.0.accept().await;
        (Rewrite { inner: io, pending: None }, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// One connection; `pending` is a replacement still being written.
pub struct Rewrite<S> {
    inner: S,
    pending: Option<(Vec<u8>, usize)>,
}

/// The JSON answer for a bodiless 4xx head written by hyper, if `buf` is one.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    if !buf.starts_with(b"HTTP/1.1 4") || !buf.ends_with(b"\r\n\r\n") || !contains(buf, b"\r\ncontent-length: 0\r\n") {
        return None;
    }
    let status = std::str::from_utf8(buf.get(9..12)?).ok()?;
    let (code, message) = match status {
        "414" => ("uri_too_long", "the request URI is too long"),
        "431" => ("headers_too_large", "the request headers are too large"),
        "408" => ("request_timeout", "the request took too long to arrive"),
        _ => ("invalid_request", "the request could not be parsed as HTTP"),
    };
    let head = std::str::from_utf8(&buf[..buf.len() - 4]).ok()?;
    let body = serde_json::json!({ "code": code, "message": message }).to_string();
    let mut out = String::new();
    for line in head.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("content-length:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!("content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()));
    Some(out.into_bytes())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewrite<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewrite<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            this.pending = replacement(buf).map(|r| (r, 0));
        }
        let Some((bytes, written)) = &mut this.pending else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        // hyper calls again with the same bytes until told they are written.
        while *written < bytes.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *written += n,
                other => return other,
            }
        }
        this.pending = None;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then writes a response head in one buffer.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodiless_4xx_heads_are_replaced() {
        let hyper414 = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(replacement(hyper414).unwrap_or_default()).unwrap_or_default();
        assert!(out.starts_with("HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ndate: x\r\n"), "{out}");
        assert!(out.ends_with(r#"{"code":"uri_too_long","message":"the request URI is too long"}"#), "{out}");
        assert!(out.contains("content-type: application/json\r\ncontent-length: 63\r\n\r\n"), "{out}");
        let ours = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{}";
        assert!(replacement(ours).is_none());
        assert!(replacement(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(replacement(b"{\"data\": []}").is_none());
    }
}
