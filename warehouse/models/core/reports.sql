-- 报告版本：每个不同的解析内容一行；同一机关同一年度以最新发布的版本为准 (is_latest)
-- office 为名录中的机关（按规范化名称、别名或路径找到时），否则为报告所印名称；所印名称见 office_printed。
-- region、office_kind 随之取名录中该机关的（与计分卡一致），名录中没有时为读取时所得。
-- 近似名称只提议（office_matches），不合并；所印名称可能是名录中多个机关（ambiguous，如只印 城关镇人民政府）且路径不能确定的，机关留空，不把它们并为一个。
-- (report versions; office is the registry's when matched, else as printed, and region and office_kind the
-- registry's for that office, as the scorecards place it; none for a name that could be several registry offices; the newest publication of an office-year is the one scored)
with named as (
    select r.* replace (case when m.office_match = 'ambiguous' then null else coalesce(m.office, r.office) end as office,
                        coalesce(o.region, r.region) as region,
                        coalesce(o.office_kind, r.office_kind) as office_kind),
           r.office as office_printed,
           m.office_match
    from stg_reports r left join stg_report_offices m on m.report_id = r.report_id
    left join stg_offices o on o.office = coalesce(m.office, r.office)
),
-- 机关未知的报告：同一路径先后采集的不同内容是同一报告的各版本（路径取该报告最早的一个）
-- (a report whose office is unknown: contents collected at one path in turn are versions of one report)
paths as (
    select report_id, min(source_path) as first_path from stg_documents group by report_id
),
grouped as (
    select n.*, coalesce(n.office, 'path:' || p.first_path, n.report_id) as versions_of
    from named n left join paths p on p.report_id = n.report_id
),
-- 版本先后只有一条规则（gkqc/versions.py 的 NEWEST_FIRST，检查阶段取上一年度报告时用同一条）：更正、修订后重新发布的版本
-- 先于其所更正的版本；再按发布日期（报告中未找到发布日期的，以其采集之日计）、采集时间，最后按 report_id 定序。
-- 版本号按此规则由旧到新编号，最新的为 is_latest。
-- (versions ranked by the one rule of gkqc/versions.py, which the cross-year checks use too: a correction before
-- the version it corrects, then the publication date (a version without one: the day it was collected), the
-- collection, the report id; numbered oldest first, the newest is_latest)
numbered as (
    select g.*,
           count(*) over (partition by g.versions_of, g.report_year)
             - row_number() over (partition by g.versions_of, g.report_year order by {newest_first}) + 1 as version_no,
           count(*) over (partition by g.versions_of, g.report_year) as versions
    from grouped g
)
select * exclude (version_no, versions), version_no = versions as is_latest, versions, version_no
from numbered
