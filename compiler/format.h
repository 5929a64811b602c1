/* format.h - the canonical form of a scheme (kpic fmt). */
#ifndef KPI_FORMAT_H
#define KPI_FORMAT_H
#include "base/buf.h"
#include "base/source.h"
#include "grammar/ast.h"

/* Writes the canonical text of a parsed scheme; src is the text it was
 * parsed from (for comments, blank lines and literals as written). */
void format_ast(const Ast *ast, const Source *src, Buf *out);

#endif
