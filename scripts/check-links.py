#!/usr/bin/env python3
"""Fails on a broken internal link in the built book or the repository's documents.

    scripts/check-links.py            # after `mdbook build docs/book`

Checks, and exits 1 naming each problem:
  * every href and src of the built book (docs/book/book/*.html): the file it
    names exists and, for a `#fragment`, that page has an element with that id;
  * every link and image of the Markdown documents at the root and under docs/
    (README.md, ARCHITECTURE.md, docs/README.md, docs/bench/README.md): the file exists and,
    for a `#fragment` into a Markdown file, that file has a heading with that
    anchor (GitHub's rule: lower case, punctuation dropped, spaces to hyphens);
  * no link leaves the repository (http:, https:, //host): the documents are
    read from a clone, and a link outside it is not ours to keep working;
  * no file under docs/ (outside the book) is linked from nowhere.
"""
import html.parser
import pathlib
import re
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = ROOT / "docs" / "book" / "book"
MARKDOWN = ["README.md", "ARCHITECTURE.md", "docs/README.md", "docs/bench/README.md"]

problems = []
targets = set()  # every file or folder some link reaches


def rel(path):
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.links = []  # (line, url)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if value and (name == "src" or (name == "href" and tag in ("a", "link", "area"))):
                self.links.append((self.getpos()[0], value))


_pages = {}


def page(path):
    if path not in _pages:
        parser = Page()
        parser.feed(path.read_text(encoding="utf-8"))
        _pages[path] = parser
    return _pages[path]


def slugs(markdown_path):
    """The anchors GitHub gives a Markdown file's headings."""
    seen, out = {}, set()
    in_code = False
    for line in markdown_path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if in_code or not m:
            continue
        text = re.sub(r"<[^>]+>", "", m.group(1))
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def external(url):
    scheme = urllib.parse.urlsplit(url).scheme
    return url.startswith("//") or scheme in ("http", "https", "ftp")


def check(source, line, url, anchors_of):
    where = f"{rel(source)}:{line}"
    if url.startswith(("mailto:", "javascript:", "data:")):
        return
    if external(url):
        problems.append(f"{where}: {url}: links outside the repository")
        return
    parts = urllib.parse.urlsplit(url)
    if parts.scheme:
        problems.append(f"{where}: {url}: unknown scheme")
        return
    path = urllib.parse.unquote(parts.path)
    target = (source.parent / path).resolve() if path else source
    if not target.exists():
        problems.append(f"{where}: {url}: {rel(target)} does not exist")
        return
    targets.add(target)
    if parts.fragment:
        anchors = anchors_of(target)
        if anchors is not None and parts.fragment not in anchors:
            problems.append(f"{where}: {url}: no #{parts.fragment} in {rel(target)}")


def html_anchors(target):
    if target.suffix == ".html":
        return page(target).ids
    if target.suffix == ".md":
        return slugs(target)
    return None


def markdown_links(path):
    """(line, url) of the links and images of a Markdown file, outside code."""
    text = path.read_text(encoding="utf-8")
    in_code = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        line = re.sub(r"`[^`]*`", "", line)
        for m in re.finditer(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", line):
            yield number, m.group(1)
        for m in re.finditer(r"<((?:https?:)?//[^>\s]+)>", line):
            yield number, m.group(1)
        for m in re.finditer(r"^\s*\[[^\]]+\]:\s*(\S+)", line):
            yield number, m.group(1)


def main():
    if not (BOOK / "index.html").exists():
        print(f"{rel(BOOK)} is not built: run `mdbook build docs/book` first", file=sys.stderr)
        return 2
    pages = sorted(BOOK.rglob("*.html"))
    links = 0
    for path in pages:
        for line, url in page(path).links:
            links += 1
            check(path, line, url, html_anchors)
    for name in MARKDOWN:
        path = ROOT / name
        if not path.exists():
            problems.append(f"{name}: missing")
            continue
        for line, url in markdown_links(path):
            links += 1
            check(path, line, url, lambda t: slugs(t) if t.suffix == ".md" else None)
    # Every file under docs/ (but the book, which SUMMARY.md holds together)
    # is reached by some link.
    docs = ROOT / "docs"
    for path in sorted(docs.rglob("*")):
        if path.is_dir() or (docs / "book") in path.parents:
            continue
        if path not in targets:
            problems.append(f"{rel(path)}: linked from nowhere (README, the book, docs/README.md, docs/bench/README.md)")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"links: {links} checked in {len(pages)} pages and {len(MARKDOWN)} documents, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
