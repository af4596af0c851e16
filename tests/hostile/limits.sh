#!/bin/sh
# limits.sh -- issue 18's hostile inputs: exit status, message, time, peak memory (tests/hostile/limits.py).
exec python3 "${top_srcdir:-.}/tests/hostile/limits.py"
