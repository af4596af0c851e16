#!/bin/sh
# sarif.sh -- SARIF that GitHub code scanning accepts, and fingerprints that
# survive lines moving (SARIF partialFingerprints, Code Climate fingerprint).
# Checked three ways: the SARIF 2.1.0 JSON Schema (python3-jsonschema), Microsoft's
# validator `sarif-multitool validate` under its default rules and GitHub's
# (--rule-kind Gh, Ghas), and by hand below. scripts/install-deps.sh puts the
# validator and the schema (npm packages) in $C2S_TOOLS_DIR; without them those
# checks skip (in CI, CI=true, they fail).
set -u
. "$(dirname "$0")/lib.sh"
seed=$top/fixtures/seed/docker-compose.yml
tools=${C2S_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/compose2swarm-tools}
multitool=${C2S_SARIF_MULTITOOL:-$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool}
schema=${C2S_SARIF_SCHEMA:-$tools/sarif-schema/sarif-2.1.0-rtm.5.json}
py=$(schema_python)
fixtures="$top/fixtures/lint/*.yml $top/fixtures/ok/*.yml $top/fixtures/seed/*.yml $top/fixtures/swarm/*.yml"

# --- the outputs checked: each fixture alone, all fixtures in one run, awkward file names ---
mkdir "$tmp/each" "$tmp/proj" "$tmp/proj/sub dir"
n=0
for f in $fixtures; do
	n=$((n + 1))
	"$bin" lint --format sarif "$f" >"$tmp/each/$n.sarif" 2>/dev/null
done
# from the source tree, so the files are below %SRCROOT% (make distcheck builds elsewhere)
(cd "$top" && "$bin" lint --format sarif --docs-url https://example.org/compose2swarm/docs/rules/ \
	fixtures/lint/*.yml fixtures/ok/*.yml fixtures/seed/*.yml fixtures/swarm/*.yml) >"$tmp/all.sarif" 2>/dev/null
cp "$seed" "$tmp/proj/sub dir/stack ü#1.yml"
cp "$seed" "$tmp/outside.yml"
(cd "$tmp/proj" && "$bin" lint --format sarif "sub dir/stack ü#1.yml" "./sub dir/../sub dir/stack ü#1.yml" \
	"$tmp/outside.yml") >"$tmp/names.sarif"
(cd "$tmp/proj" && "$bin" lint --format sarif --stdin-filename "sub dir/piped.yml" - <"$seed") >"$tmp/stdin.sarif"
cp "$tmp/all.sarif" "$tmp/names.sarif" "$tmp/stdin.sarif" "$tmp/each/"

# --- the SARIF 2.1.0 JSON Schema ---
if [ -z "$py" ]; then
	missing_tool "python3-jsonschema"
elif [ ! -f "$schema" ]; then
	missing_tool "the SARIF 2.1.0 JSON Schema ($schema)"
else
	rc=0
	"$py" "$top/tests/jsonschema-check.py" "$schema" "$tmp"/each/*.sarif >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then ok "SARIF for $n fixtures (each, all at once, odd names, stdin) fits the SARIF 2.1.0 schema"
	else fail "SARIF fits the SARIF 2.1.0 schema"; fi
	"$py" - "$tmp/all.sarif" "$tmp/broken.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
json.dump(d, open(sys.argv[2], "w"))
PY
	rc=0
	"$py" "$top/tests/jsonschema-check.py" --invalid "$schema" "$tmp/broken.sarif" >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then ok "the schema check refuses a region at line 0"; else fail "the schema check refuses a region at line 0"; fi
fi

# --- Microsoft's validator: no result at error level, default rules, Gh and Ghas ---
# One run with the three kinds of rules together ("Sarif;Gh;Ghas": --rule-kind
# takes a ';' list, and its parser refuses "Gh" alone): no result from their
# union is no result from each. SARIF2006 (URIs should be reachable) is off: it
# would look our URIs up on the network, which tests do not use. A second run
# on a log with one rule's fullDescription taken out must fail (GH2012).
# validate FILE...: run it; $results "LEVEL RULE" per result, $tool_errors
validate() {
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$multitool" validate -c "$tmp/policy.xml" --level "Error;Warning;Note" \
		--log ForceOverwrite --rule-kind "Sarif;Gh;Ghas" -o "$tmp/validation.sarif" "$@" >"$tmp/out" 2>&1
	rc=$?
	python3 - "$tmp/validation.sarif" >"$tmp/results" 2>&1 <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
for run in log["runs"]:
    for r in run.get("results", []):
        print(r.get("level", "warning"), r["ruleId"], r["message"].get("arguments"))
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []):
            if n.get("level") == "error":
                print("tool-error", n["message"]["text"])
PY
}
if [ ! -x "$multitool" ]; then
	missing_tool "sarif-multitool ($multitool)"
else
	cat >"$tmp/policy.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
XML
	validate "$tmp/all.sarif" "$tmp/names.sarif" "$tmp/stdin.sarif"
	if [ -s "$tmp/validation.sarif" ] && ! grep -Eq '^(error|warning|tool-error) ' "$tmp/results"; then
		ok "sarif-multitool validate, default + Gh + Ghas rules: no error or warning ($(grep -c '^note' "$tmp/results") notes)"
	else
		fail "sarif-multitool validate, default + Gh + Ghas rules: no error or warning"; cat "$tmp/results"
	fi
	python3 - "$tmp/all.sarif" "$tmp/nodesc.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["runs"][0]["tool"]["driver"]["rules"][0]["fullDescription"]
json.dump(d, open(sys.argv[2], "w"))
PY
	validate "$tmp/nodesc.sarif"
	if grep -q '^error GH2012 ' "$tmp/results"; then ok "the validator refuses a rule without fullDescription (GH2012)"
	else fail "the validator refuses a rule without fullDescription (GH2012)"; cat "$tmp/results"; fi
fi

# --- by hand: what GitHub reads ---
if python3 - "$tmp/all.sarif" "$tmp/names.sarif" "$tmp/stdin.sarif" "$tmp/proj" "$bin" <<'PY' >"$tmp/out" 2>&1
import json, subprocess, sys, urllib.parse
all_, names, stdin, proj, binary = sys.argv[1:6]
d = json.load(open(all_))
run = d["runs"][0]
drv = run["tool"]["driver"]
assert d["version"] == "2.1.0" and drv["name"] == "compose2swarm"
assert drv["informationUri"].startswith("https://"), "informationUri"
assert run["columnKind"] == "unicodeCodePoints"
rules = drv["rules"]
ids = [r["id"] for r in rules]
assert len(ids) == len(set(ids)) and ids == sorted(ids), "rules: each once, in id order"
used = {r["ruleId"] for r in run["results"]}
assert set(ids) == used, "rules: those with results"
for r in rules:
    page = subprocess.run([binary, "explain", r["id"]], capture_output=True, text=True, check=True).stdout
    assert r["help"]["markdown"] == page and r["help"]["text"] == page, r["id"] + ": help is docs/rules/ID.md"
    fd = r["fullDescription"]["text"]
    assert fd and "\n" not in fd and fd in page.replace("\n", " "), r["id"] + ": fullDescription from the page"
    assert r["shortDescription"]["text"]
    assert r["helpUri"] == "https://example.org/compose2swarm/docs/rules/" + r["id"] + ".md"
for res in run["results"]:
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"], "ruleIndex"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert not loc["artifactLocation"]["uri"].startswith("/")
    reg = loc["region"]
    assert reg["startLine"] >= 1 and reg["startColumn"] >= 1
    assert (reg["endLine"], reg["endColumn"]) > (reg["startLine"], reg["startColumn"]), reg
    fp = res["partialFingerprints"]["compose2swarm/v1"]
    assert len(fp) == 16 and int(fp, 16) >= 0
fps = [r["partialFingerprints"]["compose2swarm/v1"] for r in run["results"]]
assert len(fps) == len(set(fps)), "fingerprints are unique in a run"
base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
assert base.startswith("file:///") and base.endswith("/")

n = json.load(open(names))["runs"][0]
assert n["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file://" + urllib.parse.quote(proj) + "/"
arts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in n["results"]]
assert arts[0] == {"uri": "sub%20dir/stack%20%C3%BC%231.yml", "uriBaseId": "%SRCROOT%"}, arts[0]
assert urllib.parse.unquote(arts[0]["uri"]) == "sub dir/stack ü#1.yml"
assert all(a == arts[0] for a in arts[:4]), "./sub dir/../ names the same file"
assert arts[-1] == {"uri": "file://" + urllib.parse.quote(proj.rsplit("/", 1)[0]) + "/outside.yml"}, arts[-1]
s = json.load(open(stdin))["runs"][0]
a = s["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
assert a == {"uri": "sub%20dir/piped.yml", "uriBaseId": "%SRCROOT%"}, a
PY
then ok "SARIF: informationUri, rules' fullDescription/help from docs/rules, helpUri, %SRCROOT% URIs percent-encoded"
else fail "SARIF: what GitHub reads"; cat "$tmp/out"; fi

# --- helpUri: only with --docs-url or docs-url in the config file; {id} is replaced ---
run lint --format sarif "$seed"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all("helpUri" not in r for r in d["runs"][0]["tool"]["driver"]["rules"])' "$tmp/out"; then
	ok "no docs URL: no helpUri"; else fail "no docs URL: no helpUri"; fi
run lint --format sarif --docs-url 'https://docs.example.org/rules/{id}.html' "$seed"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [r["helpUri"] for r in d["runs"][0]["tool"]["driver"]["rules"]] == ["https://docs.example.org/rules/CS5101.html", "https://docs.example.org/rules/CS8001.html"]' "$tmp/out"; then
	ok "--docs-url with {id}"; else fail "--docs-url with {id}"; fi
mkdir "$tmp/conf"
cp "$seed" "$tmp/conf/docker-compose.yml"
printf 'docs-url: https://git.example.org/ops/compose2swarm/-/blob/main/docs/rules\n' >"$tmp/conf/.compose2swarm.yml"
run lint --format sarif "$tmp/conf/docker-compose.yml"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] == "https://git.example.org/ops/compose2swarm/-/blob/main/docs/rules/CS5101.md"' "$tmp/out"; then
	ok "docs-url in .compose2swarm.yml"; else fail "docs-url in .compose2swarm.yml"; fi
run lint --format sarif --docs-url https://cli.example.org/r/ "$tmp/conf/docker-compose.yml"
if grep -q '"helpUri":"https://cli.example.org/r/CS5101.md"' "$tmp/out"; then ok "--docs-url wins over the config file"; else fail "--docs-url wins over the config file"; fi
run lint --docs-url docs/rules "$seed"; expect "--docs-url wants an absolute URL" 2 '' "^compose2swarm: --docs-url wants an absolute URL"
printf 'docs-url: [a]\n' >"$tmp/conf/.compose2swarm.yml"
run lint "$tmp/conf/docker-compose.yml"; expect "docs-url in the config file wants a URL" 2 '' ".compose2swarm.yml:1:11: error: docs-url wants an absolute URL"

# --- fingerprints: lines added above, a finding moved, the same finding twice ---
cat >"$tmp/fp1.yml" <<'YAML'
services:
  web:
    image: nginx:1.27
    container_name: web
    healthcheck: {test: ["CMD", "true"]}
  db:
    image: postgres:16
    container_name: db
    healthcheck: {test: ["CMD", "true"]}
YAML
{ printf '# the stack\n\nx-note: &n\n  a: 1\n'; sed 's/^  db:/  cache:\n    image: redis:7\n    healthcheck: {test: ["CMD", "true"]}\n  db:/' "$tmp/fp1.yml"; } >"$tmp/fp2.yml"
for f in fp1 fp2; do
	cp "$tmp/$f.yml" "$tmp/stack.yml"
	(cd "$tmp" && "$bin" lint --format sarif stack.yml) >"$tmp/$f.sarif"
	(cd "$tmp" && "$bin" lint --format codeclimate stack.yml) >"$tmp/$f.cc"
done
if python3 - "$tmp" <<'PY' >"$tmp/out" 2>&1
import json, sys
t = sys.argv[1]
def sarif(name):
    return [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["partialFingerprints"]["compose2swarm/v1"])
            for r in json.load(open(f"{t}/{name}.sarif"))["runs"][0]["results"]]
def cc(name):
    return [(r["check_name"], r["location"]["positions"]["begin"]["line"], r["fingerprint"]) for r in json.load(open(f"{t}/{name}.cc"))]
for get in (sarif, cc):
    a, b = get("fp1"), get("fp2")
    assert [x[0] for x in a] == ["CS5101", "CS5101"] and [x[1] for x in a] == [4, 8], a
    assert [x[1] for x in b] == [8, 15], b
    assert [x[2] for x in a] == [x[2] for x in b], (a, b)
    assert a[0][2] != a[1][2], "two services' findings differ"
PY
then ok "fingerprints (SARIF and Code Climate) stay when lines and a service are added above"
else fail "fingerprints stay when lines are added above"; cat "$tmp/out"; fi
printf 'services:\n  web:\n    image: nginx:1.27\n    healthcheck: {test: ["CMD", "true"]}\n    ports: ["80:80", "80:80"]\n' >"$tmp/twice.yml"
run lint --format codeclimate "$tmp/twice.yml"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
fps = [x["fingerprint"] for x in d]
assert len(fps) >= 1 and len(fps) == len(set(fps)), d' "$tmp/out"; then ok "Code Climate fingerprints are unique in a report"
else fail "Code Climate fingerprints are unique in a report"; fi
sed 's/^  web:/  webapp:/' "$tmp/fp1.yml" >"$tmp/stack.yml"
(cd "$tmp" && "$bin" lint --format codeclimate stack.yml) >"$tmp/fp3.cc"
if python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
a = [r["fingerprint"] for r in json.load(open(f"{t}/fp1.cc"))]
b = [r["fingerprint"] for r in json.load(open(f"{t}/fp3.cc"))]
assert a[1] == b[1] and a[0] != b[0], (a, b)
PY
then ok "a renamed service changes its finding's fingerprint only"; else rc=1; fail "a renamed service changes its finding's fingerprint only"; fi

finish
