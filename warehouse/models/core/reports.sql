-- 报告版本：每个不同的解析内容一行；同一机关同一年度以最新发布的版本为准 (is_latest)
-- office 为名录中的机关（按规范化名称、别名或路径找到时），否则为报告所印名称；所印名称见 office_printed。
-- 近似名称只提议（office_matches），不合并。
-- (report versions; office is the registry's when matched, else as printed; the newest publication of an
-- office-year is the one scored)
with named as (
    select r.* replace (coalesce(m.office, r.office) as office),
           r.office as office_printed,
           m.office_match
    from stg_reports r left join stg_report_offices m on m.report_id = r.report_id
)
select n.*,
       row_number() over (
           partition by coalesce(n.office, n.report_id), n.report_year
           order by n.published_at desc nulls last, n.ingested_at desc, n.report_id
       ) = 1 as is_latest,
       count(*) over (partition by coalesce(n.office, n.report_id), n.report_year) as versions
from named n
