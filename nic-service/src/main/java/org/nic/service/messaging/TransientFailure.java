package org.nic.service.messaging;

import java.util.function.Predicate;
import org.nic.event.FailureReason;
import org.nic.event.StageFailure;

/**
 * What a stage retries by itself, with backoff, before giving a slide up to the delayed retry path: failures
 * of the infrastructure that pass by (the object store down or unreachable). Used as
 * {@code @RetryWhen(exception = TransientFailure.class)} beside {@code @Retry} on each stage's work method.
 */
public final class TransientFailure implements Predicate<Throwable> {

    @Override
    public boolean test(Throwable t) {
        return t instanceof StageFailure f && f.reason() == FailureReason.STORAGE_UNAVAILABLE;
    }
}
