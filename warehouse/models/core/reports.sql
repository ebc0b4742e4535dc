-- 报告版本：每个不同的解析内容一行；同一机关同一年度以最新发布的版本为准 (is_latest)
-- (report versions; the newest publication of an office-year is the one scored)
select r.*,
       row_number() over (
           partition by coalesce(r.office, r.report_id), r.report_year
           order by r.published_at desc nulls last, r.ingested_at desc, r.report_id
       ) = 1 as is_latest,
       count(*) over (partition by coalesce(r.office, r.report_id), r.report_year) as versions
from stg_reports r
