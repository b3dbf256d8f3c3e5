package org.nic.dashboard.board;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.nic.dashboard.config.DashboardConfig;

/** The dashboard's two in-memory views, sized by its settings. */
public class Boards {

    @Produces
    @Singleton
    SlideBoard slides(DashboardConfig config) {
        return new SlideBoard(config.maxSlides());
    }

    @Produces
    @Singleton
    ModelBoard models(DashboardConfig config) {
        return new ModelBoard(config.historyPerHead());
    }
}
