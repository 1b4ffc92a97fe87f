package org.cnnc.compiler.shape;

/**
 * A shape rule that does not hold for the incoming shape. It carries no position:
 * elaboration adds the place of the layer, or drops an optional element instead.
 */
public final class ShapeError extends Exception {
    public ShapeError(String message) {
        super(message, null, false, false);
    }
}
