#!/bin/bash
# Submit a whole sharded study to SLURM: label once, embed in SHARDS array tasks, then merge and
# evaluate, chained with --dependency=afterok (the finish job waits for every array task).
#   MEDS=/shared/meds WORK=/shared/study SHARDS=8 \
#   MODEL='openai:http://gpu1:8000/v1*8,http://gpu2:8000/v1*8#Qwen/Qwen3-Embedding-8B' \
#   EMBED_ARGS='--format list --max-tokens 4096 --tokenizer qwen3' ./study.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${MEDS:?}" "${WORK:?}" "${MODEL:?}"
SHARDS="${SHARDS:-4}"
mkdir -p "$WORK"
label=$(sbatch --parsable --export=ALL "$here/label.sbatch")
embed=$(sbatch --parsable --export=ALL --dependency="afterok:$label" --array="0-$((SHARDS - 1))" "$here/embed.sbatch")
finish=$(sbatch --parsable --export=ALL --dependency="afterok:$embed" "$here/finish.sbatch")
echo "submitted: label $label, embed $embed (array of $SHARDS), finish $finish"
