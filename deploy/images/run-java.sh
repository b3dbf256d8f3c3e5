#!/bin/sh
# Entrypoint of NIC's service images: the Quarkus fast-jar (/deployments) on Debian's JRE 17.
# JAVA_OPTS replaces the defaults below; JAVA_OPTS_APPEND adds to them (the Kubernetes manifests set it).
# Configuration comes from the environment, Quarkus style (NIC_STORAGE_ENDPOINT, KAFKA_BOOTSTRAP_SERVERS, ...).
exec java ${JAVA_OPTS:--XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.util.logging.manager=org.jboss.logmanager.LogManager} \
  ${JAVA_OPTS_APPEND:-} -jar /deployments/quarkus-run.jar "$@"
