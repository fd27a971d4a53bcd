"""Turn a `(mime, bytes)` display message from C (cellc.h) into a Jupyter bundle.

C code only sends raw material -- text, PNG bytes, RGB pixels, numbers --
because encoding a PNG or drawing a chart in C would mean shipping a library
to link.  The kernel has Python, zlib and (optionally) matplotlib, so the
pictures are made here.
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import zlib
from typing import Any

RGB_MIME = "application/x-cellc-rgb"
PLOT_MIME = "application/x-cellc-plot"
PLOT_LOGX, PLOT_LOGY, PLOT_POINTS = 1, 2, 4
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 64 * 1024 * 1024  # larger than any sensible notebook picture
TEXT_MIMES = ("text/", "image/svg+xml", "application/javascript", "application/json")


class DisplayError(ValueError):
    """A display message that cannot be rendered; shown to the user on stderr."""


Bundle = tuple[dict[str, Any], dict[str, Any]]


def to_bundle(mime: str, data: bytes) -> Bundle:
    """The `data` and `metadata` of a display_data message for one message from C."""
    if mime == RGB_MIME:
        return rgb_bundle(data)
    if mime == PLOT_MIME:
        return plot_bundle(data)
    if mime.startswith(TEXT_MIMES) or mime.endswith("+json"):
        text = data.decode("utf-8", "replace")
        if mime == "application/json" or mime.endswith("+json"):
            try:
                return {mime: json.loads(text), "text/plain": text}, {}
            except ValueError as e:
                raise DisplayError(f"cellc_display: {mime} payload is not valid JSON: {e}") from None
        bundle: dict[str, Any] = {mime: text}
        bundle.setdefault("text/plain", _plain_for_text(mime, text))
        return bundle, {}
    bundle = {mime: base64.b64encode(data).decode("ascii"), "text/plain": f"<{mime}, {len(data)} bytes>"}
    metadata: dict[str, Any] = {}
    if mime == "image/png":
        size = png_size(data)
        if size is None:
            raise DisplayError(f"cellc_png: {len(data)} bytes that are not a PNG (no PNG signature)")
        bundle["text/plain"] = f"<PNG image {size[0]}x{size[1]}>"
    return bundle, metadata


def _plain_for_text(mime: str, text: str) -> str:
    """A text/plain fallback: the text itself for markdown/latex, a tag otherwise."""
    if mime in ("text/markdown", "text/latex"):
        return text
    if mime == "text/html":
        return f"<HTML, {len(text)} characters>"
    return f"<{mime}, {len(text)} characters>"


# -- PNG ----------------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode_png(pixels: bytes, width: int, height: int) -> bytes:
    """An 8-bit RGB PNG of `pixels` (rows top to bottom, 3 bytes a pixel).

    Filter type 0 on every row and zlib level 6: small enough code to trust,
    and plenty fast for notebook-sized pictures.
    """
    stride = width * 3
    if len(pixels) != stride * height:
        raise ValueError(f"{len(pixels)} bytes for a {width}x{height} RGB image (need {stride * height})")
    raw = b"".join(b"\x00" + pixels[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR, or None when `data` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def png_bundle(png: bytes, text: str) -> Bundle:
    width, height = png_size(png) or (0, 0)
    return (
        {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text},
        {"image/png": {"width": width, "height": height}},
    )


def rgb_bundle(data: bytes) -> Bundle:
    """cellc_image_rgb: "W H\\n" then W*H*3 bytes -> PNG."""
    head, nl, pixels = data.partition(b"\n")
    try:
        width, height = (int(v) for v in head.split())
    except ValueError:
        raise DisplayError("cellc_image_rgb: malformed message (no 'W H' header)") from None
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise DisplayError(f"cellc_image_rgb: unsupported size {width}x{height}")
    if not nl or len(pixels) != width * height * 3:
        raise DisplayError(f"cellc_image_rgb: {len(pixels)} bytes of pixels for {width}x{height} (need w*h*3)")
    return png_bundle(encode_png(pixels, width, height), f"<RGB image {width}x{height}>")


# -- plots ----------------------------------------------------------------------------


def parse_plot(data: bytes) -> tuple[list[float], list[float], str, int]:
    """cellc_plot_ex: "N FLAGS TITLELEN\\n", title, N x doubles, N y doubles."""
    head, nl, rest = data.partition(b"\n")
    try:
        n, flags, tlen = (int(v) for v in head.split())
    except ValueError:
        raise DisplayError("cellc_plot: malformed message (no 'N FLAGS TITLELEN' header)") from None
    if not nl or n < 0 or tlen < 0 or len(rest) != tlen + 16 * n:
        raise DisplayError(f"cellc_plot: message of {len(data)} bytes does not hold {n} points")
    title = rest[:tlen].decode("utf-8", "replace")
    values = struct.unpack(f"={2 * n}d", rest[tlen:])
    return list(values[:n]), list(values[n:]), title, flags


def plot_bundle(data: bytes) -> Bundle:
    """Render cellc_plot's numbers as a PNG line chart with matplotlib (Agg)."""
    xs, ys, title, flags = parse_plot(data)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise DisplayError(
            "cellc_plot needs matplotlib in the kernel's Python: pip install 'cellc-kernel[plot]'"
        ) from None
    # Figure + Agg canvas, not pyplot: no global state, no GUI backend.
    fig = Figure(figsize=(6.4, 4.0), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ys_shown = [y if math.isfinite(y) else math.nan for y in ys]
    if flags & PLOT_LOGY:
        ys_shown = [y if y > 0 else math.nan for y in ys_shown]
        ax.set_yscale("log")
    if flags & PLOT_LOGX:
        ax.set_xscale("log")
    ax.plot(xs, ys_shown, marker="o" if flags & PLOT_POINTS else None, linewidth=1.5)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    text = f"<plot{': ' + title if title else ''}, {len(xs)} points>"
    return png_bundle(buf.getvalue(), text)
