package org.cnnc.compiler.diag;

/**
 * A mistake in the user's input, with the place it was made. Every stage reports
 * through this one type; the command line prints it and exits non-zero.
 */
public class CompileError extends RuntimeException {
    private final Pos pos;

    public CompileError(Pos pos, String message) {
        super(message, null, false, false);
        this.pos = pos;
    }

    public Pos pos() {
        return pos;
    }

    /** {@code file:line:col: error: message}, the source line and a caret under the column. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append(pos).append(": error: ").append(getMessage());
        if (pos.known()) {
            String line = pos.file().line(pos.line());
            if (!line.isEmpty()) {
                out.append('\n').append("  ").append(line.replace('\t', ' '));
                out.append('\n').append("  ").append(" ".repeat(Math.max(0, pos.col() - 1))).append('^');
            }
        }
        return out.toString();
    }
}
