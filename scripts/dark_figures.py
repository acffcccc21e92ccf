"""Pair each figure of a built page with its dark variant (called by scripts/artifact_hook.py).

A page written as ``![alt](figures/day-03/x.svg)`` is built to ``<img alt="…" src="…/x.svg">``. When
the build made ``x.dark.svg`` (lesson_code/lessonkit/darkfig.py), the tag becomes two:

    <img class="only-light" alt="…" src="…/x.svg"><img class="only-dark" alt="…" src="…/x.dark.svg">

with the same alt text and attributes (``loading="lazy"`` included). A notebook output drawn by code
is an SVG inlined as ``data:image/svg+xml;base64,…``; its dark variant is derived here and handed to
``store``, which saves it as a file next to the page and returns its URL (a reader of the light
scheme never downloads it; inlined, it would add ~450 kB to the Day 3 notebook page). docs/stylesheets/extra.css shows the one of the scheme the reader chose (Material's
``data-md-color-scheme`` on ``<body>``) and gives the other ``display: none``: screen readers skip it, it is not a Tab stop, and a lazy image
that is not displayed is never fetched. An image that already has one of the classes (written by
hand) is left alone.
"""
from __future__ import annotations

import base64
import binascii
import posixpath
import re
from urllib.parse import urlsplit

from lesson_code.lessonkit.darkfig import dark_svg

IMG = re.compile(r"<img\b[^>]*>", re.I)
SRC = re.compile(r'(\ssrc=")([^"]*)(")', re.I)
CLASS = re.compile(r'(\sclass=")([^"]*)(")', re.I)
SCHEMES = ("only-light", "only-dark")
SVG_DATA = "data:image/svg+xml;base64,"


def page_base(page_url: str) -> str:
    """The folder (site path, "" or ending in "/") that a page's relative URLs start from."""
    if page_url == "" or page_url.endswith("/"):
        return page_url
    folder = posixpath.dirname(page_url)
    return folder + "/" if folder else ""


def with_class(tag: str, name: str) -> str:
    if CLASS.search(tag):
        return CLASS.sub(lambda m: f"{m[1]}{m[2]} {name}".replace('=" ', '="') + m[3], tag, count=1)
    return re.sub(r"^<img\b", f'<img class="{name}"', tag, count=1, flags=re.I)


def dark_of_data_uri(src: str) -> str | None:
    """The dark variant (SVG text) of an SVG inlined as a base64 data URI; None when it is not an SVG.
    A figure whose colours darkfig cannot read raises ValueError."""
    try:
        svg = base64.b64decode(src[len(SVG_DATA):], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if "<svg" not in svg:
        return None
    return dark_svg(svg)


def pair_dark_images(html: str, page_url: str, twins: dict[str, str], store=None) -> str:
    """``html`` with every ``<img>`` whose (relative) src is a key of ``twins`` (site paths, light ->
    dark) doubled as described in the module docstring; with ``store`` (dark SVG text -> its URL from
    the page), every inlined SVG too."""
    base = page_base(page_url)

    def pair(m: re.Match) -> str:
        tag = m[0]
        src = SRC.search(tag)
        classes = CLASS.search(tag)
        if not src or (classes and set(classes[2].split()) & set(SCHEMES)):
            return tag
        if src[2].startswith(SVG_DATA):
            dark = dark_of_data_uri(src[2]) if store else None
            if dark is None:
                return tag
            dark_src = store(dark)
            dark_tag = SRC.sub(lambda s: s[1] + dark_src + s[3], tag, count=1)
            return with_class(tag, "only-light") + with_class(dark_tag, "only-dark")
        parts = urlsplit(src[2])
        if parts.scheme or parts.netloc or parts.path.startswith("/") or not parts.path:
            return tag
        target = posixpath.normpath(posixpath.join(base, parts.path))
        dark = twins.get(target)
        if dark is None:
            return tag
        dark_src = posixpath.join(posixpath.dirname(parts.path), posixpath.basename(dark))
        dark_src += ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
        dark_tag = SRC.sub(lambda s: s[1] + dark_src + s[3], tag, count=1)
        return with_class(tag, "only-light") + with_class(dark_tag, "only-dark")

    return IMG.sub(pair, html)
