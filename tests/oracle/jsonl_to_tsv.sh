#!/bin/bash
# jsonl_to_tsv.sh FINDINGS.jsonl — turn kaketsuke findings into the oracle's
# format (tests/oracle/tsk_yara.py): one line per "match" record,
#   fs_offset<TAB>path<TAB>rule<TAB>deleted
# sorted in byte order. A missing field prints as "null" (so the diff shows it).
set -euo pipefail
if [ $# -ne 1 ]; then
	echo "usage: $0 FINDINGS.jsonl" >&2
	exit 2
fi
jq -r 'select(.type == "match")
       | [(.fs_offset | tostring), (.path | tostring), (.rule | tostring), (.deleted | tostring)]
       | join("\t")' "$1" | LC_ALL=C sort
