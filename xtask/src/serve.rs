//! A small threaded static file server on 127.0.0.1, std only: enough to serve
//! the page, `pkg/` and `www/` as ES modules with the MIME types browsers insist
//! on (`application/wasm` for streaming compilation, `text/javascript` for
//! modules), with the cross-origin isolation headers that wasm threads need.
//! GET and HEAD only; `/` and directories map to `index.html`; query
//! strings and fragments are ignored for the lookup; nothing outside the root is
//! ever served (`..` is refused and symlinks are resolved before the check).

use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::util::{say, Result};

/// `cargo xtask serve`: serves `root` on 127.0.0.1:`port` until interrupted,
/// printing one line per request.
pub fn serve_forever(root: &Path, port: u16) -> Result {
    let (listener, root, addr) = bind(root, port)?;
    say(&format!(
        "serving {} at http://{addr}/ (Ctrl-C to stop)",
        root.display()
    ));
    println!("\n    http://{addr}/\n");
    accept_loop(listener, root, true);
    Ok(())
}

/// Serves `root` on an ephemeral 127.0.0.1 port from a background thread, quietly,
/// for as long as the process lives; returns the address to point a browser at.
pub fn spawn(root: &Path) -> Result<SocketAddr> {
    let (listener, root, addr) = bind(root, 0)?;
    thread::spawn(move || accept_loop(listener, root, false));
    Ok(addr)
}

fn bind(root: &Path, port: u16) -> Result<(TcpListener, Arc<PathBuf>, SocketAddr)> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot serve {}: {e}", root.display()))?;
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        let hint = if e.kind() == io::ErrorKind::AddrInUse {
            "; pick another with --port N"
        } else {
            ""
        };
        format!("cannot listen on 127.0.0.1:{port}: {e}{hint}")
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    Ok((listener, Arc::new(root), addr))
}

fn accept_loop(listener: TcpListener, root: Arc<PathBuf>, log: bool) {
    for stream in listener.incoming().flatten() {
        let root = Arc::clone(&root);
        thread::spawn(move || {
            // A client that hangs up mid-response is its own business.
            let _ = handle(stream, &root, log);
        });
    }
}

/// A response before it is written: status, extra headers, body.
struct Response {
    status: u16,
    content_type: &'static str,
    location: Option<String>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, message: &str) -> Self {
        let body = format!("{status} {}: {message}\n", reason(status)).into_bytes();
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            location: None,
            body,
        }
    }
}

fn handle(stream: TcpStream, root: &Path, log: bool) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        // Skip the headers: nothing here depends on them.
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = match method {
        "GET" | "HEAD" if target.starts_with('/') => respond(root, target),
        "GET" | "HEAD" => Response::text(400, "the request target must start with /"),
        _ => Response::text(405, "only GET and HEAD are served"),
    };
    if log {
        say(&format!("{method} {target} -> {}", response.status));
    }
    write_response(&stream, &response, method == "HEAD")
}

fn respond(root: &Path, target: &str) -> Response {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(decoded) = percent_decode(path) else {
        return Response::text(400, "bad percent-encoding in the path");
    };
    let mut file = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Response::text(403, "`..` is not allowed in paths"),
            s if s.contains(['\\', '\0']) => {
                return Response::text(400, "bad character in the path")
            }
            s => file.push(s),
        }
    }
    if file.is_dir() {
        if !decoded.ends_with('/') {
            // Relative URLs in the directory's index.html need the trailing slash.
            let location = format!("{path}/");
            return Response {
                location: Some(location),
                ..Response::text(301, "moved")
            };
        }
        file.push("index.html");
    }
    // Canonicalize to follow symlinks, then check we are still inside the root.
    let inside = file
        .canonicalize()
        .ok()
        .filter(|real| real.starts_with(root) && real.is_file());
    let Some(real) = inside else {
        return Response::text(404, &format!("{decoded} is not here"));
    };
    match fs::read(&real) {
        Ok(body) => Response {
            status: 200,
            content_type: mime_type(&real),
            location: None,
            body,
        },
        Err(e) => Response::text(500, &format!("cannot read {decoded}: {e}")),
    }
}

/// Cross-origin isolation, which wasm threads need (SharedArrayBuffer): the
/// page opens no cross-origin window (COOP) and loads nothing cross-origin
/// that has not agreed to it (COEP). Everything normscope loads is its own, and
/// the resource policy lets a sandboxed (opaque-origin) iframe of the site
/// still load the site's files. docs/embedding.md says what a host must send.
const ISOLATION_HEADERS: &str = "Cross-Origin-Opener-Policy: same-origin\r\n\
     Cross-Origin-Embedder-Policy: require-corp\r\n\
     Cross-Origin-Resource-Policy: cross-origin\r\n";

fn write_response(mut stream: &TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    if let Some(location) = &response.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str(ISOLATION_HEADERS);
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// The Content-Type for a file, by extension.
pub fn mime_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a non-UTF-8 result.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_refuses_bad_ones() {
        assert_eq!(percent_decode("/a%20b/%2e%2e").as_deref(), Some("/a b/.."));
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%4"), None);
    }

    #[test]
    fn serves_files_and_refuses_escapes() {
        let root = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("index.html"), "<title>home</title>").unwrap();
        fs::write(root.join("sub/m.wasm"), [0u8, 97, 115, 109]).unwrap();
        let root = root.canonicalize().unwrap();
        let home = respond(&root, "/?x=1");
        assert_eq!(
            (home.status, home.content_type),
            (200, "text/html; charset=utf-8")
        );
        assert_eq!(
            respond(&root, "/sub/m.wasm#f").content_type,
            "application/wasm"
        );
        assert_eq!(respond(&root, "/sub").status, 301);
        assert_eq!(respond(&root, "/sub/").status, 404);
        assert_eq!(respond(&root, "/../etc/passwd").status, 403);
        assert_eq!(respond(&root, "/%2e%2e/etc/passwd").status, 403);
        assert_eq!(respond(&root, "/missing.js").status, 404);
        fs::remove_dir_all(&root).unwrap();
    }
}
