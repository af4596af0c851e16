# --resolve-image changed: the registry is asked for a changed image and a new service only;
# an unchanged image keeps the image that runs
SETUP="deploy a.yml"
FILES="b.yml"
FLAGS="--resolve-image changed"
FAKE_ARGS="--fake-digests"
