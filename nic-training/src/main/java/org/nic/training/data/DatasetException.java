package org.nic.training.data;

/** A training dataset problem, always naming the file or folder at fault. */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
