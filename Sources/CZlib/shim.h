// Thin wrappers over zlib's init macros, which Swift cannot call directly.
// Written by hand: no package in our mirror exposes a long-lived zlib-stream context
// (one inflate/deflate state for a whole Discord gateway connection).
#ifndef MJPROXY_CZLIB_SHIM_H
#define MJPROXY_CZLIB_SHIM_H
#include <zlib.h>

static inline int czlib_inflateInit(z_streamp s) { return inflateInit(s); }
/* windowBits 0: the window size the stream's zlib header announces (no larger window than the sender's). */
static inline int czlib_inflateInitHeaderWindow(z_streamp s) { return inflateInit2(s, 0); }
static inline int czlib_deflateInit(z_streamp s, int level) { return deflateInit(s, level); }
static inline int czlib_deflateInit2(z_streamp s, int level, int windowBits, int memLevel) {
    return deflateInit2(s, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
#endif
