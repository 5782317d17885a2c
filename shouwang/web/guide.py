"""The user guide (docs/user-guide.md) as a page of the app: Markdown rendered with raw
HTML escaped, not passed through, each heading given an anchor, and the section
headings listed as an in-page table of contents."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

TOC_LEVELS = ("h2", "h3")


@dataclass(frozen=True)
class Heading:
    level: int  # 2 or 3
    anchor: str
    text: str


@dataclass(frozen=True)
class Guide:
    title: str
    html: str  # safe: markup in the source is shown as text
    toc: tuple[Heading, ...]


def _markdown() -> MarkdownIt:
    # "html": False escapes any HTML in the file; links to javascript: and the like
    # are refused by markdown-it's own link check.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def guide_render(source: str) -> Guide:
    """The guide's HTML with an anchor on every heading, its title (the first h1)
    and its h2/h3 headings in order."""
    md = _markdown()
    tokens = md.parse(source)
    title, toc = "", []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = tokens[index + 1].content.strip()
        anchor = f"sec-{len(toc) + 1}" if token.tag in TOC_LEVELS else ""
        if token.tag == "h1" and not title:
            title = text
        if anchor:
            token.attrSet("id", anchor)
            toc.append(Heading(level=int(token.tag[1]), anchor=anchor, text=text))
    for token in tokens:
        if token.type == "table_open":
            token.attrSet("class", "table table-sm table-bordered")
    return Guide(
        title=title,
        html=md.renderer.render(tokens, md.options, {}),
        toc=tuple(toc),
    )


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int) -> Guide:
    return guide_render(Path(path).read_text(encoding="utf-8"))


def guide_load(path: Path) -> Guide:
    """The rendered guide at path, rendered again only when the file changes."""
    return _cached(str(path), path.stat().st_mtime_ns)
