"""Rich display from C (cellc.h) through a real kernel: bundles, pictures, ordering."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest

LOGO = Path(__file__).resolve().parent.parent / "kernelspec" / "logo-64x64.png"


def read_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Decode a PNG independently of the kernel: (width, height, channels, rows).

    Checks the signature and every chunk CRC and undoes all five row filters,
    so a PNG from matplotlib (adaptive filters) decodes as well as ours.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and interlace == 0
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for i in range(stride if kind else 0):
            a = cur[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                cur[i] = (cur[i] + a) & 255
            elif kind == 2:
                cur[i] = (cur[i] + b) & 255
            elif kind == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                cur[i] = (cur[i] + pred) & 255
        rows.append(bytes(cur))
        prev = cur
    return width, height, channels, rows


def png_of(bundle: dict) -> bytes:
    assert "image/png" in bundle, bundle.keys()
    return base64.b64decode(bundle["image/png"])


@pytest.fixture(scope="module")
def k(kernel):
    kernel.ok("#include <cellc.h>\n#include <math.h>")
    return kernel


def test_html_is_formatted_like_printf(k):
    r = k.ok('cellc_html("<b>%d</b> of %s", 42, "them");')
    assert len(r.displays) == 1
    assert r.displays[0]["text/html"] == "<b>42</b> of them"
    assert "text/plain" in r.displays[0]


def test_markdown_and_long_text(k):
    r = k.ok('cellc_markdown("# Title\\n\\n$x^2$ is %.1f", 2.25);')
    assert r.displays == [{"text/markdown": "# Title\n\n$x^2$ is 2.2", "text/plain": "# Title\n\n$x^2$ is 2.2"}]
    # Past the executor's small-message buffer (4 KiB): the whole text arrives.
    r = k.ok("{ static char s[20001]; memset(s, 'y', 20000); cellc_html(\"<p>%s</p>\", s); }")
    assert r.displays[0]["text/html"] == "<p>" + "y" * 20000 + "</p>"


def test_raw_display_of_text_and_json_types(k):
    r = k.ok(
        'cellc_display("text/latex", "$\\\\sqrt{2}$", 10);\n'
        'const char *js = "{\\"a\\": [1, 2]}";\n'
        'cellc_display("application/json", js, strlen(js));'
    )
    assert r.displays[0]["text/latex"] == "$\\sqrt{2}$"
    assert r.displays[1]["application/json"] == {"a": [1, 2]}


def test_png_bytes_arrive_unchanged(k):
    """cellc_png of a real PNG file read by C: the frontend gets exactly its bytes."""
    r = k.ok(
        f'FILE *f = fopen("{LOGO}", "rb");\n'
        "static unsigned char buf[1 << 20];\n"
        "size_t got = fread(buf, 1, sizeof buf, f);\n"
        "fclose(f);\n"
        "cellc_png(buf, got);"
    )
    assert png_of(r.displays[0]) == LOGO.read_bytes()
    assert r.displays[0]["text/plain"] == "<PNG image 64x64>"


def test_png_that_is_not_a_png_is_explained(k):
    r = k.ok('cellc_png("GIF89a", 6);')
    assert r.displays == []
    assert "not a PNG" in r.stderr


def test_image_rgb_is_encoded_to_png_with_the_right_pixels(k):
    r = k.ok(
        "unsigned char px[2 * 3 * 3];\n"
        "for (int i = 0; i < 6; i++) { px[3*i] = 40 * i; px[3*i+1] = 255 - i; px[3*i+2] = i == 4 ? 7 : 0; }\n"
        "cellc_image_rgb(px, 3, 2);"
    )
    assert len(r.displays) == 1
    width, height, channels, rows = read_png(png_of(r.displays[0]))
    assert (width, height, channels) == (3, 2, 3)
    expected = bytes(v for i in range(6) for v in (40 * i, 255 - i, 7 if i == 4 else 0))
    assert b"".join(rows) == expected
    assert r.displays[0]["text/plain"] == "<RGB image 3x2>"


GRADIENT = (
    "int W = 300, H = 200;\n"
    "unsigned char *img = malloc(W * H * 3);\n"
    "for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) {\n"
    "  unsigned char *p = img + 3 * (y * W + x); p[0] = x * 255 / W; p[1] = y * 255 / H; p[2] = 128; }\n"
    "cellc_image_rgb(img, W, H);\n"
    "free(img);"
)


def test_large_images_cell_after_cell(fresh_kernel):
    """Payloads far past a pipe's capacity, in cell after cell (snapshots come and go meanwhile)."""
    fresh_kernel.ok("#include <cellc.h>\n#include <stdlib.h>")
    r = fresh_kernel.ok(GRADIENT)
    width, height, _, rows = read_png(png_of(r.displays[0]))
    assert (width, height) == (300, 200)
    assert rows[199][3 * 299 : 3 * 300] == bytes([299 * 255 // 300, 199 * 255 // 200, 128])
    for i in range(30):
        r = fresh_kernel.execute(
            f"{{ unsigned char *img = malloc(600 * 400 * 3); memset(img, {i}, 600 * 400 * 3);\n"
            "cellc_image_rgb(img, 600, 400); free(img); }",
            timeout=30,
        )
        assert r.status == "ok" and len(r.displays) == 1, (i, r.error_text)
        assert r.displays[0]["text/plain"] == "<RGB image 600x400>"


def test_malformed_private_messages_are_explained(k):
    r = k.ok('cellc_display("application/x-cellc-rgb", "2 2\\nabc", 7);')
    assert r.displays == [] and "need w*h*3" in r.stderr
    r = k.ok('cellc_display("application/x-cellc-plot", "junk", 4);')
    assert r.displays == [] and "cellc_plot: malformed" in r.stderr


def blue_pixels(png: bytes) -> int:
    """Pixels in matplotlib's default line colour (C0, #1f77b4)."""
    _, _, channels, rows = read_png(png)
    count = 0
    for row in rows:
        for i in range(0, len(row), channels):
            r, g, b = row[i : i + 3]
            count += abs(r - 0x1F) < 30 and abs(g - 0x77) < 30 and abs(b - 0xB4) < 30
    return count


def test_plot_renders_a_line_chart(k):
    r = k.ok(
        "double xs[50], ys[50];\n"
        "for (int i = 0; i < 50; i++) { xs[i] = i / 10.0; ys[i] = sin(xs[i]); }\n"
        'cellc_plot(xs, ys, 50, "sine");'
    )
    assert len(r.displays) == 1
    bundle = r.displays[0]
    assert bundle["text/plain"] == "<plot: sine, 50 points>"
    png = png_of(bundle)
    width, height, _, _ = read_png(png)
    assert (width, height) == (640, 400)
    assert blue_pixels(png) > 300  # the curve is drawn


def test_plot_options_log_axis_null_xs_and_gaps(k):
    """A convergence plot: x defaults to 0..n-1, log y, NaN/negative points leave gaps."""
    r = k.ok(
        "double err[8] = {1, 1e-1, 1e-3, 1e-7, 1e-15, 0.0, NAN, -1};\n"
        'cellc_plot_ex(NULL, err, 8, "Newton error", CELLC_PLOT_LOGY | CELLC_PLOT_POINTS);\n'
        'cellc_plot(NULL, err, 0, "");'
    )
    assert r.stderr == ""
    assert [d["text/plain"] for d in r.displays] == ["<plot: Newton error, 8 points>", "<plot, 0 points>"]
    assert blue_pixels(png_of(r.displays[0])) > 100


def test_stream_and_display_keep_their_order(k):
    """Text printed before a display comes before it, text printed after comes after."""
    r = k.ok(
        "for (int i = 0; i < 5; i++) {\n"
        '  printf("before %d\\n", i);\n'
        '  cellc_html("<i>%d</i>", i);\n'
        '  printf("after %d\\n", i);\n'
        "}"
    )
    seen = []
    for msg in r.messages:
        if msg["msg_type"] == "stream":
            seen.append(msg["content"]["text"])
        elif msg["msg_type"] == "display_data":
            seen.append("[" + msg["content"]["data"]["text/html"] + "]")
    expected = "".join(f"before {i}\n[<i>{i}</i>]after {i}\n" for i in range(5))
    assert "".join(seen) == expected


def test_header_compiles_cleanly_with_warnings_on(fresh_kernel):
    """The header itself adds no warnings under -Wall -Wextra -pedantic."""
    fresh_kernel.ok("%cflags -Wall -Wextra -Wpedantic -std=gnu11")
    r = fresh_kernel.ok('#include <cellc.h>\ncellc_html("ok");')
    assert r.stderr == ""
    assert r.displays[0]["text/html"] == "ok"


def test_clear_output_message(kernel) -> None:
    r = kernel.ok('#include <cellc.h>\nprintf("frame 1\\n"); cellc_clear_output(1); printf("frame 2\\n");')
    kinds = [m["header"]["msg_type"] for m in r.messages]
    assert "clear_output" in kinds
    clear = next(m for m in r.messages if m["header"]["msg_type"] == "clear_output")
    assert clear["content"]["wait"] is True
    assert kinds.index("clear_output") < len(kinds) - 1, "output after the clear follows it"


def test_plot_without_matplotlib_says_how_to_get_it(monkeypatch) -> None:
    import sys

    from cellc_kernel.display import PLOT_MIME, DisplayError, to_bundle

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib...` raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    data = b"2 0 1\nt" + struct.pack("4d", 0, 1, 2, 3)
    with pytest.raises(DisplayError, match=r"cellc-kernel\[plot\]"):
        to_bundle(PLOT_MIME, data)
