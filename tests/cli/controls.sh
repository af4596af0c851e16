#!/bin/sh
# controls.sh -- lint controls end to end: config files, pragmas, --fix, --diff,
# --enable/--engine-version, --fail-on, the new formats. Expected outputs are
# written here by hand.
set -u
C2S=${C2S:-./compose2swarm}
top_srcdir=${top_srcdir:-.}
NO_COLOR=1
export NO_COLOR
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/c2s-controls.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

check() { # name expected actual
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
		fails=$((fails + 1))
	else
		printf 'ok   %s\n' "$1"
	fi
}

# -- opt-in rule: the seed keeps two findings, --enable CS9001 adds the :latest one
out=$("$C2S" lint -f gnu "$top_srcdir/fixtures/seed/docker-compose.yml"); rc=$?
check "seed: two findings" "2 1" "$(printf '%s\n' "$out" | grep -c . ) $rc"
out=$("$C2S" lint -f gnu --enable CS9001 "$top_srcdir/fixtures/seed/docker-compose.yml" | grep CS9001)
check "--enable CS9001" "$top_srcdir/fixtures/seed/docker-compose.yml:5:11: info: image api:latest uses the :latest tag: each node pulls whatever the tag points to when it starts a task, so replicas can run different builds and a rollback cannot return to the old one [CS9001]" "$out"

# -- engine targeting
mkdir -p "$tmp/eng"
printf 'services:\n  app:\n    image: nginx:1.27\n    healthcheck: {test: ["CMD", "true"]}\n    cap_add: [NET_ADMIN]\n' > "$tmp/eng/s.yml"
out=$("$C2S" lint -f gnu "$tmp/eng/s.yml"); rc=$?
check "no --engine-version: quiet" "0:" "$rc:$out"
out=$(cd "$tmp/eng" && "$C2S" lint -f gnu --engine-version 19.03 s.yml); rc=$?
check "--engine-version 19.03" "1:s.yml:5:5: warning: cap_add on a service (API 1.41) needs Docker Engine 20.10 or later; --engine-version says 19.03, where the engine ignores it or refuses the service [CS8007]" "$rc:$out"
out=$(cd "$tmp/eng" && "$C2S" lint -f gnu --engine-version 20.10 s.yml); rc=$?
check "--engine-version 20.10" "0:" "$rc:$out"

# -- config file found upward, with rules, fail-on and engine-version
mkdir -p "$tmp/proj/deploy"
printf 'rules:\n  disable: [container-name]\n  severity: {CS5008: error}\nfail-on: error\nengine-version: "19.03"\n' > "$tmp/proj/.compose2swarm.yml"
printf 'services:\n  app:\n    image: nginx:1.27\n    healthcheck: {test: ["CMD", "true"]}\n    container_name: app\n    expose: ["80"]\n' > "$tmp/proj/deploy/a.yml"
out=$(cd "$tmp/proj/deploy" && "$C2S" lint -f gnu a.yml); rc=$?
check "config: disable + fail-on error" "0:a.yml:6:5: warning: expose is ignored by docker stack deploy (\"Exposing ports is unnecessary - services on the same network can access each other's containers on any port.\") [CS5102]" "$rc:$out"
printf '    links: [db]\n' >> "$tmp/proj/deploy/a.yml"
out=$(cd "$tmp/proj/deploy" && "$C2S" lint -f gnu a.yml | grep CS5008); rc=$?
check "config: severity override" "a.yml:7:5: error: links is ignored by docker stack deploy (\"Ignoring unsupported options: links\") [CS5008]" "$out"
out=$(cd "$tmp/proj/deploy" && "$C2S" lint -f gnu --fail-on warning --enable CS5101 a.yml | grep -c CS5101); rc=$?
check "command line beats config" "1" "$out"
# --config FILE replaces the search
printf 'rules:\n  disable: [CS5102, CS5008]\n' > "$tmp/other.yml"
out=$(cd "$tmp/proj/deploy" && "$C2S" lint -f gnu --config "$tmp/other.yml" a.yml); rc=$?
check "--config FILE" "1:a.yml:5:5: warning: container_name is ignored by docker stack deploy (\"Setting the container name is not supported.\") [CS5101]" "$rc:$out"
# errors in the config file: exit 2, with the position
printf 'rules:\n  disable: [CS5101, nope]\n' > "$tmp/proj/.compose2swarm.yml"
out=$(cd "$tmp/proj/deploy" && "$C2S" lint -f gnu a.yml 2>&1); rc=$?
check "config error: exit 2 with position" "2:$tmp/proj/.compose2swarm.yml:2:21: error: unknown rule 'nope' (see \`compose2swarm rules\`)" "$rc:$out"

# -- pragmas
printf 'services:\n  app:\n    image: nginx:1.27\n    healthcheck: {test: ["CMD", "true"]}\n    privileged: true  # compose2swarm ignore=CS5012 -- build host\n    # compose2swarm ignore=links -- kept for docker compose\n    links: [db]\n' > "$tmp/p.yml"
out=$("$C2S" lint -f gnu "$tmp/p.yml"); rc=$?
check "pragmas suppress" "0:" "$rc:$out"

# -- --diff and --fix keep comments and layout
cat > "$tmp/f.yml" <<'YML'
# the stack
services:
  app:
    image: nginx:1.27   # pinned
    container_name: app # goes
    healthcheck:
      test: ["CMD", "true"]
    depends_on:
      - db
    privileged: true  # compose2swarm ignore=CS5012 -- build host
  db:
    image: postgres:16
    healthcheck: {test: ["CMD", "true"]}
YML
cp "$tmp/f.yml" "$tmp/f.orig"
out=$(cd "$tmp" && "$C2S" lint --diff f.yml); rc=$?
check "--diff" "1:--- a/f.yml
+++ b/f.yml
@@ -2,11 +2,8 @@
 services:
   app:
     image: nginx:1.27   # pinned
-    container_name: app # goes
     healthcheck:
       test: [\"CMD\", \"true\"]
-    depends_on:
-      - db
     privileged: true  # compose2swarm ignore=CS5012 -- build host
   db:
     image: postgres:16" "$rc:$out"
check "--diff leaves the file" "" "$(cmp "$tmp/f.yml" "$tmp/f.orig")"
out=$(cd "$tmp" && "$C2S" lint -f gnu --fix f.yml); rc=$?
check "--fix reports what is left" "0:" "$rc:$out"
check "--fix result" "# the stack
services:
  app:
    image: nginx:1.27   # pinned
    healthcheck:
      test: [\"CMD\", \"true\"]
    privileged: true  # compose2swarm ignore=CS5012 -- build host
  db:
    image: postgres:16
    healthcheck: {test: [\"CMD\", \"true\"]}" "$(cat "$tmp/f.yml")"
# what docker makes of the file is unchanged but for the removed keys
if command -v docker >/dev/null 2>&1 && (cd "$tmp" && docker stack config -c f.orig >"$tmp/dc.orig" 2>/dev/null); then
	(cd "$tmp" && docker stack config -c f.yml >"$tmp/dc.fixed" 2>/dev/null)
	check "docker stack config: only the removed keys differ" "<     container_name: app
<     depends_on:
<       - db" "$(diff "$tmp/dc.orig" "$tmp/dc.fixed" | grep -v '^[0-9]')"
else
	echo "skip docker stack config comparison (no docker)"
fi
check "--fix leaves no temporary file" "f.orig f.yml" "$(cd "$tmp" && ls f.*| tr '\n' ' ' | sed 's/ $//')"
# a comment indented under a removed key goes with it; one at the key's column is about the next key
cat > "$tmp/g.yml" <<'YML'
services:
  app:
    image: nginx:1.27
    depends_on:
      - db

      # - cache
    # swarm's health test
    healthcheck:
      test: ["CMD", "true"]
  db:
    image: postgres:16
    healthcheck: {test: ["CMD", "true"]}
YML
out=$(cd "$tmp" && "$C2S" lint -f gnu --fix g.yml); rc=$?
check "--fix removes the comments under a key with it" "0:services:
  app:
    image: nginx:1.27
    # swarm's health test
    healthcheck:
      test: [\"CMD\", \"true\"]
  db:
    image: postgres:16
    healthcheck: {test: [\"CMD\", \"true\"]}" "$rc:$out$(cat "$tmp/g.yml")"
cp "$top_srcdir/fixtures/seed/docker-compose.yml" "$tmp/seed.yml"
out=$(cd "$tmp" && "$C2S" lint -f gnu --fix seed.yml); rc=$?
check "--fix: positions in the rewritten file" "1:seed.yml:5:4: warning: sysctls on a swarm service need Docker Engine 19.03 or later on every node that runs it [CS8001]" "$rc:$out"
out=$("$C2S" lint --fix --diff "$tmp/f.yml" 2>&1); rc=$?
check "--fix with --diff is a usage error" "2" "$rc"

# -- formats
out=$("$C2S" lint -f github "$top_srcdir/fixtures/seed/docker-compose.yml" | head -1)
check "github" "::warning file=$top_srcdir/fixtures/seed/docker-compose.yml,line=4,col=4,endLine=4,endColumn=18,title=CS5101 container-name::container_name is ignored by docker stack deploy (\"Setting the container name is not supported.\")%0Ahint: swarm names each task STACK_SERVICE.SLOT.ID; other services reach this one by its service name or a network alias; remove the key" "$out"
for f in sarif checkstyle junit codeclimate; do
	"$C2S" lint -f $f "$top_srcdir/fixtures/seed/docker-compose.yml" > "$tmp/out.$f"; rc=$?
	check "format $f exit" "1" "$rc"
done
check "sarif names CS8001" "1" "$(grep -c '"ruleId":"CS8001"' "$tmp/out.sarif")"
check "checkstyle" '<error line="4" column="4" severity="warning" message="container_name is ignored by docker stack deploy (&quot;Setting the container name is not supported.&quot;)" source="compose2swarm.CS5101.container-name"/>' "$(grep CS5101 "$tmp/out.checkstyle")"
check "junit counts" '<testsuites name="compose2swarm" tests="2" failures="2">' "$(sed -n 2p "$tmp/out.junit")"
check "codeclimate" "2" "$(grep -o '"check_name"' "$tmp/out.codeclimate" | wc -l | tr -d ' ')"
"$C2S" lint -f yaml "$top_srcdir/fixtures/seed/docker-compose.yml" >/dev/null 2>&1; rc=$?
check "unknown format" "2" "$rc"

# -- the rule list
out=$("$C2S" rules --format json | grep -o '{"id":"CS9001"[^}]*}')
check "rules json" '{"id":"CS9001","name":"image-not-pinned","tier":"artifacts","severity":"info","fixable":false,"default_enabled":false,"title":"A replicated service runs an image with no tag or :latest"}' "$out"
out=$("$C2S" rules | grep '^CS5101')
check "rules text" "CS5101  container-name             ignored       warning  yes container_name is ignored by swarm" "$out"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
