package org.nic.dashboard.config;

import io.smallrye.config.ConfigMapping;
import org.nic.service.source.SourcesConfig;

/** Where the viewer reads slides from ({@code nic.sources.*}): the tiler's rules, the dashboard's own cache folder. */
@ConfigMapping(prefix = "nic.sources")
public interface DashboardSourcesConfig extends SourcesConfig {
}
