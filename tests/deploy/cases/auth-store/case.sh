# --with-registry-auth with a credsStore that has nothing: the auths entry keeps only its email
SETUP="deploy stack.yml"
FILES="stack.yml"
FLAGS="--with-registry-auth --resolve-image never"
AUTH=1
