package org.cnnc.compiler.elaborate;

import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;

/** A shape rule that failed at a layer: an error, unless it happens inside an optional element, which is then dropped. */
final class ShapeFailure extends CompileError {
    private final String reason;

    ShapeFailure(Pos pos, String message, String reason) {
        super(pos, message);
        this.reason = reason;
    }

    /** The rule that failed, without the layer's name (which a dropped optional never gets). */
    String reason() {
        return reason;
    }
}
