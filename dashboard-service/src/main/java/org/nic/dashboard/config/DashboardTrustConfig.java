package org.nic.dashboard.config;

import io.smallrye.config.ConfigMapping;
import org.nic.service.trust.HeadTrustConfig;

/** Which heads the dashboard runs for its maps ({@code nic.trust.*}): the same keys and limits as the predictor's. */
@ConfigMapping(prefix = "nic.trust")
public interface DashboardTrustConfig extends HeadTrustConfig {
}
