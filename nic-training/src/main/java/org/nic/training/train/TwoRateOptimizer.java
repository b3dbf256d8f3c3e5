package org.nic.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import java.util.Set;

/**
 * Two optimisers under one: the task heads' parameters go to one, the shared encoder's to the other, so a
 * warm start can fine-tune the released encoder gently while its new, randomly initialised heads learn at
 * a normal rate. DJL counts updates per parameter, so each optimiser's schedule starts when its parameters
 * first move (an encoder frozen for the first steps starts its schedule when it is unfrozen).
 */
final class TwoRateOptimizer extends Optimizer {

    private final Optimizer heads;
    private final Optimizer encoder;
    private final Set<String> headParameters;

    TwoRateOptimizer(Optimizer heads, Optimizer encoder, Set<String> headParameters) {
        super(new Builder());
        this.heads = heads;
        this.encoder = encoder;
        this.headParameters = Set.copyOf(headParameters);
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        (headParameters.contains(parameterId) ? heads : encoder).update(parameterId, weight, grad);
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
