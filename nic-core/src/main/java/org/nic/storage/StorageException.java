package org.nic.storage;

/** Object storage failed or an object is missing. */
public class StorageException extends RuntimeException {

    private final boolean notFound;

    public StorageException(String message, boolean notFound, Throwable cause) {
        super(message, cause);
        this.notFound = notFound;
    }

    /** True when the bucket or object does not exist (as opposed to the store failing). */
    public boolean notFound() {
        return notFound;
    }
}
