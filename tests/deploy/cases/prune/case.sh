# --prune: the services the file no longer has are removed first, in name order
SETUP="deploy a.yml"
FILES="b.yml"
FLAGS="--prune --resolve-image never"
