#!/usr/bin/env bash
# Shows that the build enforces DESIGN.md's dependency rules: in a scratch copy of the repo, it
# declares Jetty in flowsync-core and imports it, runs `mvn verify` there, and expects the build to
# fail naming the rule. Exits 0 when the rule held (the build failed as it should).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$root/pom.xml" "$root/.mvn" "$root/flowsync-bom" "$root/flowsync-core" "$scratch/"
# Build only the parent and core: trim the module list.
sed -i '/<module>/d; s#<modules>#<modules><module>flowsync-core</module>#' "$scratch/pom.xml"
sed -i 's#<dependencies>#<dependencies>\n    <dependency><groupId>org.eclipse.jetty</groupId><artifactId>jetty-server</artifactId></dependency>#' \
  "$scratch/flowsync-core/pom.xml"
cat > "$scratch/flowsync-core/src/main/java/dev/flowsync/core/UsesJetty.java" <<'JAVA'
package dev.flowsync.core;

class UsesJetty {
  org.eclipse.jetty.server.Server server;
}
JAVA
if out=$(cd "$scratch" && mvn -B -q verify -DskipTests 2>&1); then
  echo "FAIL: flowsync-core built with Jetty declared and imported" >&2
  exit 1
fi
if grep -q "flowsync-core may depend on SLF4J only" <<<"$out"; then
  echo "OK: the build failed with: $(grep -m1 -o 'DESIGN.md rule: flowsync-core may depend on SLF4J only[^.]*' <<<"$out")"
else
  echo "FAIL: the build failed, but not with the rule's message:" >&2
  echo "$out" | tail -20 >&2
  exit 1
fi
