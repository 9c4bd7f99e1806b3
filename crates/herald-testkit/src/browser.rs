//! A real headless Chromium, driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`), for tests of pages Herald serves.
//!
//! [`Browser::start`] runs its own `chromedriver` on a free port and opens a
//! session. Without chromedriver the test is skipped, unless
//! `HERALD_TEST_REQUIRE_BROWSER=1` (as in CI), where that fails.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
pub use fantoccini::Locator;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

const DRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a wait for something on the page lasts before failing.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Browser {
    pub client: Client,
    driver: Child,
    /// Where the browser saves downloads.
    pub downloads: tempfile::TempDir,
}

impl Browser {
    /// A browser at the given window size, or `None` (skip) without one.
    pub async fn start(width: u32, height: u32) -> Option<Self> {
        let driver = std::env::var("HERALD_TEST_CHROMEDRIVER").unwrap_or_else(|_| DRIVER.to_owned());
        if !Path::new(&driver).exists() {
            assert!(
                std::env::var("HERALD_TEST_REQUIRE_BROWSER").map_or(true, |v| v != "1"),
                "{driver} is required (HERALD_TEST_REQUIRE_BROWSER=1): apt-get install chromium chromium-driver"
            );
            eprintln!("SKIPPED: no {driver} (apt-get install chromium chromium-driver)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Its own process group: dropping the browser ends chromedriver and
        // every Chromium process it started, even after a failed test.
        let child = Command::new(&driver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {driver}: {e}"));
        let url = format!("http://127.0.0.1:{port}");
        let downloads = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        let binary = std::env::var("HERALD_TEST_CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_owned());
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--hide-scrollbars", "--lang=en-GB", format!("--window-size={width},{height}")],
                "prefs": {
                    "download.default_directory": downloads.path().to_str().unwrap(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if started.elapsed() > Duration::from_secs(20) => panic!("no WebDriver session: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Some(Self { client, driver: child, downloads })
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Waits until `css` matches an element whose text contains `text`.
    pub async fn wait_text(&self, css: &str, text: &str) -> Element {
        let started = Instant::now();
        let mut seen = Vec::new();
        loop {
            seen.clear();
            if let Ok(found) = self.client.find_all(Locator::Css(css)).await {
                for el in found {
                    let t = el.text().await.unwrap_or_default();
                    if t.contains(text) {
                        return el;
                    }
                    seen.push(t);
                }
            }
            assert!(
                started.elapsed() < WAIT,
                "no `{css}` containing {text:?} within {WAIT:?}; seen: {seen:?}; page error: {:?}",
                self.error_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element `css` matches, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                return el;
            }
            assert!(started.elapsed() < WAIT, "no `{css}` within {WAIT:?}; page error: {:?}", self.error_text().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether `css` matches anything now.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find_all(Locator::Css(css)).await.is_ok_and(|v| !v.is_empty())
    }

    /// Clicks the button (or link) whose visible text is `text`, once it
    /// is enabled.
    pub async fn click_text(&self, text: &str) {
        let xpath = format!("//*[self::button or self::a][normalize-space()='{text}']");
        self.retry(Locator::XPath(&xpath), "click", |el| async move {
            if !el.is_enabled().await.map_err(|e| e.to_string())? {
                return Err("it is disabled".to_owned());
            }
            el.click().await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// Types into the field `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        self.retry(Locator::Css(css), "fill", |el| async move {
            el.clear().await.map_err(|e| e.to_string())?;
            el.send_keys(text).await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// Clicks the element `css` matches.
    pub async fn click(&self, css: &str) {
        self.retry(Locator::Css(css), "click", |el| async move { el.click().await.map_err(|e| e.to_string()) }).await;
    }

    /// Chooses `value` in the `<select>` `css` matches.
    pub async fn select(&self, css: &str, value: &str) {
        self.retry(Locator::Css(css), "select", |el| async move {
            el.select_by_value(value).await.map_err(|e| e.to_string())
        })
        .await;
    }

    /// Does `act` on the element `at` finds, finding it again until it
    /// works: a re-render makes an element stale, a running action disables
    /// a button.
    async fn retry<F, Fut>(&self, at: Locator<'_>, what: &str, act: F)
    where
        F: Fn(Element) -> Fut,
        Fut: std::future::Future<Output = Result<(), String>>,
    {
        let started = Instant::now();
        loop {
            let err = match self.client.find(at).await {
                Ok(el) => match act(el).await {
                    Ok(()) => return,
                    Err(e) => e,
                },
                Err(e) => e.to_string(),
            };
            assert!(
                started.elapsed() < WAIT,
                "could not {what} {at:?} within {WAIT:?}: {err}; page error: {:?}",
                self.error_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The `attr` of every element `css` matches, read at one moment.
    pub async fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let v = self
            .client
            .execute(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))",
                vec![json!(css), json!(attr)],
            )
            .await
            .unwrap();
        serde_json::from_value(v).unwrap()
    }

    /// The page's error box, if it shows one.
    pub async fn error_text(&self) -> Option<String> {
        let el = self.client.find(Locator::Css("#error")).await.ok()?;
        if !el.is_displayed().await.unwrap_or(false) {
            return None;
        }
        el.text().await.ok().filter(|t| !t.is_empty())
    }

    /// Resizes the window and waits until the page is laid out at the new
    /// width.
    pub async fn set_size(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
        let started = Instant::now();
        loop {
            let w = self.client.execute("return window.innerWidth", vec![]).await.ok().and_then(|v| v.as_u64());
            if w == Some(u64::from(width)) || started.elapsed() > WAIT {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Two frames: the layout at the new width is drawn.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()))",
                vec![],
            )
            .await;
    }

    /// Saves a PNG of the whole page (not only the window) at `path`.
    pub async fn screenshot(&self, path: &Path) {
        let (w, h) = self.client.get_window_size().await.unwrap();
        let height = self
            .client
            // The window's outer height: the page's, plus what the browser
            // keeps around it (the outer size is what can be set).
            .execute(
                "return Math.ceil(document.documentElement.scrollHeight + window.outerHeight - window.innerHeight)",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900);
        let w = u32::try_from(w).unwrap_or(1280);
        let full = u32::try_from(height.clamp(400, 4000)).unwrap_or(900);
        self.client.set_window_size(w, full).await.unwrap();
        let _ = self
            .client
            .execute("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()", vec![])
            .await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = self.client.screenshot().await.unwrap();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
        self.client.set_window_size(w, u32::try_from(h).unwrap_or(900)).await.unwrap();
    }

    /// Waits for a finished download and returns its name and contents.
    pub async fn wait_download(&self) -> (String, Vec<u8>) {
        let started = Instant::now();
        loop {
            for entry in std::fs::read_dir(self.downloads.path()).unwrap().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".crdownload") && !name.starts_with('.') {
                    return (name, std::fs::read(entry.path()).unwrap());
                }
            }
            assert!(started.elapsed() < WAIT, "no download finished within {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every form field on the page that has no label (none should).
    pub async fn unlabelled_fields(&self) -> Vec<String> {
        let v = self
            .client
            .execute(
                "return [...document.querySelectorAll('input, select, textarea')]\
                   .filter(e => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))\
                   .map(e => e.outerHTML.slice(0, 120))",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(v).unwrap()
    }

    /// What a person would read as a defect in the page's visible text
    /// (outside code and payloads): a JavaScript value printed as text
    /// (`[object`, `undefined`, a lone `null`, `NaN`), an operator's setting or a library's
    /// message shown to a customer, an error prefixed twice.
    pub async fn unreadable_text(&self) -> Vec<String> {
        let v = self
            .client
            .execute(
                "const out = [];\
                 const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);\
                 while (walk.nextNode()) {\
                   const n = walk.currentNode, el = n.parentElement;\
                   if (!el || el.closest('pre, code, script, style, [hidden]') || !el.getClientRects().length) continue;\
                   const t = n.textContent;\
                   for (const bad of [/\\[object/, /\\bundefined\\b/, /^\\s*null\\s*$/, /\\bNaN\\b/, /allowed_cidrs/, /HERALD_/, /herald serve/,\
                                      /relative URL/, /Not found:/, /(^|[^\\d.,])1 (attempts|endpoints|deliveries)\\b/]) {\
                     if (bad.test(t)) out.push(bad.source + ' in ' + JSON.stringify(t.trim().slice(0, 160)));\
                   }\
                 }\
                 return out;",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(v).unwrap()
    }

    /// What looks broken in the layout at the window's width: the page
    /// wider than the window, a word broken in the middle (outside URLs,
    /// ids, secrets, code and a table's values), items of one row drawn over each other.
    pub async fn layout_problems(&self) -> Vec<String> {
        let v = self
            .client
            .execute(
                "const out = [];\
                 if (document.documentElement.scrollWidth > window.innerWidth + 1)\
                   out.push('the page is ' + document.documentElement.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window');\
                 const walk = document.createTreeWalker(document.getElementById('main'), NodeFilter.SHOW_TEXT);\
                 while (walk.nextNode()) {\
                   const n = walk.currentNode, el = n.parentElement;\
                   if (!el || el.closest('.url, .id, .secret, pre, code, svg, [hidden], td:not(:first-child)') || !el.getClientRects().length) continue;\
                   const re = /\\S+/g; let m;\
                   while ((m = re.exec(n.textContent))) {\
                     const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);\
                     const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));\
                     if (lines.size > 1) out.push('the word ' + JSON.stringify(m[0]) + ' is broken over ' + lines.size + ' lines');\
                   }\
                 }\
                 for (const row of document.querySelectorAll('#main .row')) {\
                   const kids = [...row.children].filter(k => k.getClientRects().length);\
                   for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) {\
                     const a = kids[i].getBoundingClientRect(), b = kids[j].getBoundingClientRect();\
                     if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)\
                       out.push(JSON.stringify(kids[i].textContent.slice(0, 60)) + ' overlaps ' + JSON.stringify(kids[j].textContent.slice(0, 60)));\
                   }\
                   for (const k of kids) if (k.scrollWidth > k.clientWidth + 1 && getComputedStyle(k).overflowX === 'visible')\
                     out.push(JSON.stringify(k.textContent.slice(0, 60)) + ' runs out of its box');\
                 }\
                 return out;",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(v).unwrap()
    }

    /// Makes every request of the page take `latency` longer (Chromium's
    /// network emulation); zero turns it off.
    pub async fn set_latency(&self, latency: Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.client.issue_cmd(NetworkConditions(ms)).await.unwrap();
    }

    /// Ends the session and the browser.
    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }
}

/// chromedriver's `POST /session/{id}/chromium/network_conditions`.
#[derive(Debug)]
struct NetworkConditions(u64);

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/chromium/network_conditions", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({"network_conditions": {
            "offline": false, "latency": self.0, "download_throughput": 100_000_000, "upload_throughput": 100_000_000,
        }});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-9", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
