# --resolve-image always with no registry access: the lookups fail, the images stay as written
# (docker warns on the update, not on the create)
SETUP="deploy a.yml"
FILES="b.yml"
FLAGS="--resolve-image always"
