# DOCKER_CUSTOM_HEADERS (docker/cli's test vector and more) goes on every request in place of the
# config's HttpHeaders: names canonical, the last of a repeated name, empty values sent, Host left out
SETUP="network shared-net; deploy stack.yml"
FILES="stack.yml"
FLAGS="--resolve-image never"
AUTH=1
HEADERS='one=one-value,"two=two,value",three=,four=four-value,four=four-value-override, five = padded ,host=not-sent,x-meta-source=the environment'
