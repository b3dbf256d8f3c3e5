package org.nic.source;

import java.nio.file.Path;
import org.nic.slide.SlideIdentity;

/**
 * A slide available as a local file.
 *
 * @param path the main slide file
 * @param identity what identifies its bytes
 */
public record LocatedSlide(Path path, SlideIdentity identity) { }
