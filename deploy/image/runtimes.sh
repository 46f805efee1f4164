#!/usr/bin/env bash
# Sourced by deploy/image/build.sh and deploy/packages/build.sh (ROOT and WORK set, log() defined):
# the jlink runtimes of the service and the agent, each linked once into $WORK/NAME-jre and
# linked again only when its module list changes.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the module lists are used by the scripts that source this one

# The service's runtime: Java 21 or later (Temurin 25 links without jmods, JEP 493).
JDK="${FLOTILLA_IMAGE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
# What Quarkus, Hibernate, the PostgreSQL driver, Vert.x/Netty and the Keycloak client use.
SERVICE_MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,jdk.crypto.cryptoki,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
# The agent (jdeps --print-module-deps of its jar, plus jdk.unsupported): the JDK's WebSocket client,
# dbus-java (jdk.security.auth for the uid of D-Bus's EXTERNAL sign-in), Jackson (java.desktop, java.sql).
AGENT_MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.net,jdk.security.auth,jdk.unsupported

runtime() { # NAME MODULES [cds]
  local jre="$WORK/$1-jre" key="$2 ${3:-}"
  if [ ! -f "$jre/.modules" ] || [ "$(cat "$jre/.modules")" != "$key" ]; then
    log "Runtime for $1 (jlink of $("$JDK/bin/java" -version 2>&1 | head -n 1 | cut -d'"' -f2))"
    rm -rf "$jre"
    local cds=()
    # The JDK's own class-data archive for these modules: the base a program's archive is made on
    # (the agent's -XX:+AutoCreateSharedArchive), and fewer JDK classes parsed into metaspace.
    [ "${3:-}" = cds ] && cds=(--generate-cds-archive)
    "$JDK/bin/jlink" --add-modules "$2" --strip-debug --no-man-pages --no-header-files \
      --compress=zip-6 "${cds[@]}" --output "$jre"
    # The archive for heaps over 32 GB: not the agent's.
    rm -f "$jre/lib/server/classes_nocoops.jsa"
    echo "$key" >"$jre/.modules"
  fi
}

