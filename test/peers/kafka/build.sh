#!/usr/bin/env bash
# Assembles the Apache Kafka broker the e2e ingest-storage scenario runs — the version lib/core/versions.json
# pins (`"kafka": "apache/kafka:<version>"`) — from Maven Central's jars: the server module kafka_2.13 and
# kafka-tools with everything they depend on (kafka-server, -metadata, -raft, -storage, -clients, the
# coordinators, Scala), plus the Log4j 2 binding Kafka's own distribution uses, logging to stdout
# (log4j2.properties next to this script). Nothing is compiled: `mvn dependency:copy-dependencies` of
# pom.xml next to this script. The harness runs `java -cp '<libs>/*' kafka.tools.StorageTool …` for the
# image's kafka-storage.sh and `kafka.Kafka <server.properties>` for its kafka-server-start.sh.
#
#   bash test/peers/kafka/build.sh          # or: npm run peers:kafka (test/e2e/peers/build.sh runs it too)
#
# Inputs (environment):
#   XDG_CACHE_HOME      cache root (default: ~/.cache)
#
# Output, outside the clone, keyed by version:
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/kafka-<version>/libs/*.jar          the class path
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/kafka-<version>/log4j2.properties   stdout logging
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/kafka-<version>/kafka.stamp         what it was assembled from
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/m2/                                 Maven's local repository (shared)
#
# Idempotent: reassembles only when the stamp (version, pom.xml, log4j2.properties, Java and Maven
# versions) differs. About a minute cold (≈ 55 MB of jars downloaded), instant afterwards.
# Exit status: 0 when the jars are present and current, 1 when they cannot be had, saying why.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"

note() { echo "[peers:kafka] $*"; }
die() { echo "[peers:kafka] FAILED: $*" >&2; exit 1; }

# The pinned image names the version; the same version is asked of Maven Central.
IMAGE="$(sed -nE 's#^[[:space:]]*"kafka":[[:space:]]*"([^"]+)".*#\1#p' "$ROOT/lib/core/versions.json")"
[ -n "$IMAGE" ] || die "lib/core/versions.json pins no \"kafka\" image: nothing says which Kafka to assemble"
VERSION="${IMAGE##*:}"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die "cannot read a Kafka release version from the pinned image \"$IMAGE\" (lib/core/versions.json)"

PEER="$CACHE_ROOT/kafka-$VERSION"
LIBS="$PEER/libs"
STAMP="$PEER/kafka.stamp"
M2="$CACHE_ROOT/m2"

command -v java >/dev/null || die "no java on PATH: the Kafka $VERSION broker needs Java 17 or newer"
command -v mvn >/dev/null || die "no mvn on PATH: the Kafka $VERSION jars are resolved from Maven Central with Maven"
java_version="$(java -version 2>&1 | sed -n 1p)"
java_major="$(sed -nE 's/.*version "([0-9]+).*/\1/p' <<<"$java_version")"
[ "${java_major:-0}" -ge 17 ] || die "java is \"$java_version\": Kafka $VERSION's broker needs Java 17 or newer"
mvn_version="$(mvn -v 2>/dev/null | sed -n '1{s/\x1b\[[0-9;]*m//g;p}')"

key="$(printf '%s\n' "kafka $VERSION (image $IMAGE)" \
  "pom.xml sha256 $(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)" \
  "log4j2.properties sha256 $(sha256sum "$HERE/log4j2.properties" | cut -d' ' -f1)" \
  "$java_version" "$mvn_version")"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$key" ] && [ -f "$LIBS/kafka_2.13-$VERSION.jar" ]; then
  note "up to date: $PEER ($(ls "$LIBS" | wc -l) jars)"
  exit 0
fi

mkdir -p "$PEER" "$M2"
rm -f "$STAMP"
tmp="$PEER/libs.tmp.$$"
work="$PEER/work.$$"
log="$PEER/build.log"
trap 'rm -rf "$tmp" "$work"' EXIT
rm -rf "$tmp" "$work"
mkdir -p "$work"
cp "$HERE/pom.xml" "$work/pom.xml"
note "resolving org.apache.kafka:kafka_2.13:$VERSION and its dependencies from Maven Central (log: $log) ..."
start=$(date +%s)
if ! (cd "$work" && mvn -B -q -Dmaven.repo.local="$M2" -Dkafka.version="$VERSION" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp") >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "(cd <work> && mvn -B -q -Dmaven.repo.local=$M2 -Dkafka.version=$VERSION dependency:copy-dependencies -DincludeScope=runtime) exited non-zero; full log: $log"
fi
for jar in "kafka_2.13-$VERSION.jar" "kafka-server-$VERSION.jar" "kafka-storage-$VERSION.jar" \
  "kafka-clients-$VERSION.jar" "kafka-tools-$VERSION.jar"; do
  [ -f "$tmp/$jar" ] || die "Maven resolved no $jar (the class path would not run the broker); see $log"
done

# The broker and its tools in one JVM check: the server's main class and the storage tool load.
if ! java -cp "$tmp/*" kafka.tools.StorageTool random-uuid >"$work/uuid" 2>>"$log"; then
  tail -n 20 "$log" >&2
  die "java -cp '<libs>/*' kafka.tools.StorageTool random-uuid failed: the assembled class path does not run; see $log"
fi
cp "$HERE/log4j2.properties" "$PEER/log4j2.properties"
rm -rf "$LIBS"
mv "$tmp" "$LIBS"
# Readable (and the folders traversable) by any user: the pods run as their securityContext's user.
chmod -R a+rX "$PEER"
printf '%s\n' "$key" >"$STAMP"
note "assembled Kafka $VERSION in $(($(date +%s) - start))s: $LIBS ($(ls "$LIBS" | wc -l) jars, $(du -sh "$LIBS" | cut -f1))"
