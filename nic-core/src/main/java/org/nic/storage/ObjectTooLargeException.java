package org.nic.storage;

/** An object is larger than its reader takes: it was not read past the limit. Not a store failure: no retry helps. */
public class ObjectTooLargeException extends RuntimeException {

    public ObjectTooLargeException(String message) {
        super(message);
    }
}
