-- The two bench rules in SQL: the same alerts secstream must find.
-- Fields may be nested ({"source":{"ip":..}}) or flat ({"source.ip":..}).
CREATE TEMP TABLE alerts AS
WITH ev AS (
  SELECT epoch_ms(CAST("@timestamp" AS TIMESTAMPTZ)) AS ts,
         coalesce(event.category, "event.category") AS category,
         coalesce(event.outcome, "event.outcome") AS outcome,
         coalesce(event.dataset, "event.dataset") AS dataset,
         coalesce(source.ip, "source.ip") AS src,
         coalesce(destination.port, "destination.port") AS dport
  FROM read_json(getvariable('input'), format = 'newline_delimited', ignore_errors = true,
    columns = {'@timestamp': 'VARCHAR',
               'event': 'STRUCT(category VARCHAR, outcome VARCHAR, dataset VARCHAR)',
               'event.category': 'VARCHAR', 'event.outcome': 'VARCHAR', 'event.dataset': 'VARCHAR',
               'source': 'STRUCT(ip VARCHAR)', 'source.ip': 'VARCHAR',
               'destination': 'STRUCT(port BIGINT)', 'destination.port': 'BIGINT'})
)
SELECT 'brute_force' AS rule, src, ts // 60000 * 60000 AS window_start
FROM ev WHERE category = 'authentication' AND outcome = 'failure' AND src IS NOT NULL
GROUP BY ALL HAVING count(*) >= 20
UNION ALL
SELECT 'port_scan', src, ts // 60000 * 60000
FROM ev WHERE dataset = 'network' AND src IS NOT NULL AND dport IS NOT NULL
GROUP BY ALL HAVING count(DISTINCT dport) >= 50;
COPY (SELECT * FROM alerts ORDER BY ALL) TO '/dev/stdout' (FORMAT csv, HEADER false);
