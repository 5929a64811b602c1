/* utf8.h - the little UTF-8 the project needs: decode, validate, measure. */
#ifndef KPI_UTF8_H
#define KPI_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s[0..n). Returns its length in bytes (1..4), or
 * 0 when the bytes are not valid UTF-8 (overlong, surrogate, truncated). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Byte offset of the first invalid sequence, or n when all of s is valid. */
size_t utf8_validate(const char *s, size_t n);
/* Number of code points in s[0..n) (invalid bytes count one each). */
size_t utf8_width(const char *s, size_t n);
/* Appends the encoding of cp to out (4 bytes room); returns bytes written. */
size_t utf8_encode(uint32_t cp, char *out);

#endif
