# --resolve-image always (docker's default) with a registry that answers: each image's digest
# and platforms asked for and written into the spec, on update and on create
SETUP="deploy a.yml"
FILES="b.yml"
FLAGS=""
FAKE_ARGS="--fake-digests"
AUTH=0
