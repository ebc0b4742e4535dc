-- 按期以该年度首次发布为准：首个版本按期发布的机关年度，其后晚于期限发布的版本（更正、修订）不算逾期。
-- 这些版本的 D1 不通过结果不是问题：不进入问题清单、整改通知与统计，评分卡记为按期。
-- (an office-year whose first version was published on time is on time: the deadline check's failure of a
--  later version is no finding, in the findings, the notices, the counts and the scorecards alike)
with deadline as (
    select id as check_id from check_catalog where kind = 'procedural' and rule = 'on_time'
)
select r.report_id, d.check_id, f.report_id as first_report_id, f.published_at as first_published_at
from reports r
join reports f on f.versions_of = r.versions_of and f.report_year = r.report_year and f.version_no = 1
join check_results d on d.report_id = f.report_id and d.status = 'pass'
where r.version_no > 1 and d.check_id in (select check_id from deadline)
