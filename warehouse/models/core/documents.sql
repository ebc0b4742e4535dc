-- 采集文件登记：每个路径与内容一行；内容变化即为新行
-- (ingestion log: one row per collected path and content)
select source_path, doc_id, size_bytes, format, encoding, template, parse_status, parse_error, report_id,
       ingested_at, run_id
from stg_documents
