/* cellc.h -- rich output from C cells of the cellc Jupyter kernel.
 *
 *     #include <cellc.h>
 *     cellc_html("<b>%d</b> primes", count);
 *     cellc_plot(NULL, errors, n, "error per iteration");
 *
 * Every function here publishes one Jupyter `display_data` message.  It
 * travels on the executor's event pipe; stdout and stderr are flushed first,
 * so text printed before a display appears before it in the notebook.
 *
 * There is no library to link: cellc_display() is exported by the executor
 * process that runs the notebook, and everything else is `static inline`
 * on top of it.  The pictures are encoded by the kernel (in Python): the C
 * side only sends raw pixels or numbers.
 *
 * All functions return nothing and never fail loudly: a display that the
 * kernel cannot render (a malformed image, a plot without matplotlib)
 * becomes a message on the cell's stderr.
 */
#ifndef CELLC_H
#define CELLC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Publish `len` bytes of `data` with MIME type `mime` (no spaces, at most
 * 200 characters).  Text types (text/..., image/svg+xml, application/json)
 * are sent to the frontend as UTF-8 text, anything else base64-encoded:
 *     cellc_display("text/latex", "$e^{i\\pi} + 1 = 0$", 18);
 * The kernel understands two private types as well, which the helpers
 * below produce: application/x-cellc-rgb and application/x-cellc-plot. */
void cellc_display(const char *mime, const void *data, size_t len);

/* Send a printf-formatted text with the given MIME type. */
static inline void cellc_vprintf_mime(const char *mime, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    if (n < 0)
        return;
    char *text = (char *)malloc((size_t)n + 1);
    if (!text)
        return;
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    cellc_display(mime, text, (size_t)n);
    free(text);
}

/* Show HTML, formatted like printf: cellc_html("<i>%s</i>", name). */
static inline __attribute__((format(printf, 1, 2))) void cellc_html(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cellc_vprintf_mime("text/html", fmt, ap);
    va_end(ap);
}

/* Show Markdown (with $LaTeX$ math), formatted like printf. */
static inline __attribute__((format(printf, 1, 2))) void cellc_markdown(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cellc_vprintf_mime("text/markdown", fmt, ap);
    va_end(ap);
}

/* Show a PNG file that is already encoded, e.g. one read from disk. */
static inline void cellc_png(const void *bytes, size_t len)
{
    cellc_display("image/png", bytes, len);
}

/* Show a w x h picture: `pixels` holds w*h*3 bytes, rows top to bottom,
 * each pixel red, green, blue (0..255).  The kernel encodes the PNG.
 * Wire format (application/x-cellc-rgb): "W H\n" in decimal, then the
 * pixels. */
static inline void cellc_image_rgb(const unsigned char *pixels, int w, int h)
{
    if (w <= 0 || h <= 0 || !pixels)
        return;
    char head[48];
    int n = snprintf(head, sizeof head, "%d %d\n", w, h);
    size_t size = (size_t)w * (size_t)h * 3;
    unsigned char *msg = (unsigned char *)malloc((size_t)n + size);
    if (!msg)
        return;
    memcpy(msg, head, (size_t)n);
    memcpy(msg + n, pixels, size);
    cellc_display("application/x-cellc-rgb", msg, (size_t)n + size);
    free(msg);
}

/* Options of cellc_plot_ex (bitwise or). */
enum {
    CELLC_PLOT_LOGX = 1,   /* logarithmic x axis */
    CELLC_PLOT_LOGY = 2,   /* logarithmic y axis (convergence plots) */
    CELLC_PLOT_POINTS = 4, /* mark each point */
};

/* A line chart of n points (xs[i], ys[i]) with a title, drawn by the
 * kernel with matplotlib as a PNG.  xs may be NULL: the x values are then
 * 0, 1, ..., n-1.  `flags` are CELLC_PLOT_* options.  Points that are NaN
 * or infinite leave gaps (and non-positive ones do on a log axis).
 * Wire format (application/x-cellc-plot): "N FLAGS TITLELEN\n", the title
 * bytes, then N x values and N y values as native doubles. */
static inline void cellc_plot_ex(const double *xs, const double *ys, int n, const char *title, int flags)
{
    if (n < 0 || (n > 0 && !ys))
        return;
    if (!title)
        title = "";
    size_t tlen = strlen(title);
    char head[64];
    int k = snprintf(head, sizeof head, "%d %d %zu\n", n, flags, tlen);
    size_t values = (size_t)n * sizeof(double);
    char *msg = (char *)malloc((size_t)k + tlen + 2 * values + 1);
    if (!msg)
        return;
    char *p = msg;
    memcpy(p, head, (size_t)k);
    p += k;
    memcpy(p, title, tlen);
    p += tlen;
    for (int i = 0; i < n; i++) {
        double x = xs ? xs[i] : (double)i;
        memcpy(p + (size_t)i * sizeof(double), &x, sizeof x);
    }
    p += values;
    if (n > 0)
        memcpy(p, ys, values);
    p += values;
    cellc_display("application/x-cellc-plot", msg, (size_t)(p - msg));
    free(msg);
}

/* A line chart of n points; see cellc_plot_ex. */
static inline void cellc_plot(const double *xs, const double *ys, int n, const char *title)
{
    cellc_plot_ex(xs, ys, n, title, 0);
}

/* Clear the cell's output so far (an animation redraws this way); with
 * wait != 0 the frontend clears only when the next output arrives, which
 * avoids flicker. */
static inline void cellc_clear_output(int wait)
{
    cellc_display("application/x-cellc-clear", wait ? "1" : "0", 1);
}

#ifdef __cplusplus
}
#endif

#endif /* CELLC_H */
