package org.cnnc.runtime.weights;

import java.io.IOException;

/** A weights file that breaks its format; the message names the file and, where one is at fault, the tensor. */
public class WeightsFormatException extends IOException {

    public WeightsFormatException(String message) {
        super(message);
    }
}
